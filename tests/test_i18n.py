"""Catalog translations: PO extract, stale and missing texts fall back to the source, audiences."""

from __future__ import annotations

import datetime as dt
import io
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from babel.messages.pofile import read_po, write_po

from conftest import AS_OF, base_text, make_catalog, replace_in, run_cli
from salesplay.context import Context
from salesplay.edition import make_edition
from salesplay.i18n import (
    FINGERPRINT_NOTE,
    Status,
    fingerprint,
    message_context,
    parse_context,
)
from salesplay.localize import localized
from salesplay.pipeline import check_catalog
from salesplay.render.theme import THEME_DIR
from salesplay.resolve import Catalog
from sessionbuild import SALESPLAY

BM = "plays/backup-modernization.yaml"
RESPONSE = "play:backup-modernization:objections.1.response"
RESPONSE_KEY = ("play", "backup-modernization", ("objections", 0, "response"))
RESPONSE_EN = "Ask how long the last **restore** took."
RESPONSE_DE = "Fragen Sie, wie lange die letzte **Wiederherstellung** gedauert hat."
LOCALES = {"catalog.yaml": base_text("catalog.yaml") + "locales: [de, ja]\n"}
SAMPLE = Path(__file__).parent.parent / "plays"


def cli(tmp_path: Path, *args: str) -> tuple[int, str, str]:
    result = run_cli(*args, "--catalog", "plays", "--as-of", AS_OF, cwd=tmp_path)
    return result.code, result.stdout, result.stderr


def catalog(root: Path) -> Catalog:
    ctx = Context(catalog=root, as_of=dt.date.fromisoformat(AS_OF))
    cat = check_catalog(ctx)
    assert cat is not None and not ctx.reporter.errors, ctx.reporter.errors
    return cat


def po(root: Path, locale: str = "de") -> dict[str, Any]:
    """msgctxt → Babel message of a translations file."""
    with (root / "translations" / f"{locale}.po").open("rb") as f:
        return {m.context: m for m in read_po(f) if m.id}


def translate(root: Path, texts: dict[str, str], locale: str = "de", fuzzy: bool = False) -> None:
    """What a translator's tool does: fill msgstr (and clear or keep 'fuzzy')."""
    path = root / "translations" / f"{locale}.po"
    with path.open("rb") as f:
        catalog_ = read_po(f)
    for message in catalog_:
        if message.context in texts:
            message.string = texts[message.context]
            if not fuzzy:
                message.flags.discard("fuzzy")
    out = io.BytesIO()
    write_po(out, catalog_, include_previous=True)
    path.write_bytes(out.getvalue())


def test_extract_writes_one_entry_per_text_field_with_id_source_and_fingerprint(
    tmp_path: Path,
) -> None:
    root = make_catalog(tmp_path, LOCALES)
    code, out, _ = cli(tmp_path, "i18n", "extract")
    assert code == 0
    assert "plays/translations/de.po:" in out and "plays/translations/ja.po:" in out
    messages = po(root)
    entry = messages[RESPONSE]
    assert entry.id == RESPONSE_EN and entry.string == ""
    assert entry.locations == [("plays/plays/backup-modernization.yaml", 13)]
    assert f"{FINGERPRINT_NOTE}{fingerprint(RESPONSE_EN)}" in entry.auto_comments
    # prose is translated, proper names (competitors, customers, products) are not
    assert "play:backup-modernization:name" in messages
    assert "play:backup-modernization:competitors.1.landmines.1" in messages
    assert "competitor:acme:name" not in messages
    assert not any(c.startswith("play:backup-modernization:proof.1.customer") for c in messages)
    assert set(po(root, "ja")) == set(messages)
    # a second run over an unchanged catalog changes no byte
    before = (root / "translations" / "de.po").read_bytes()
    code, out, _ = cli(tmp_path, "i18n", "extract", "--locale", "de")
    assert code == 0 and "(unchanged)" in out and "ja.po" not in out
    assert (root / "translations" / "de.po").read_bytes() == before


def test_a_long_changed_source_is_kept_as_a_previous_msgid_gettext_reads(
    tmp_path: Path,
) -> None:
    """Babel wrapped `#| msgid` of a source longer than a PO line as a comment, in the
    middle of its quoted strings: msgfmt (and Poedit, Weblate) refused the file. And a
    text holding "20 % in" is not flagged a Python format string."""
    old = "Replace tape and legacy backup (up 20 % in a year) with immutable, off-site copies."
    new = old.replace("legacy backup", "old backup")
    root = make_catalog(tmp_path, LOCALES)
    bm = (root / BM).read_text()
    summary = "summary: Replace tape and legacy backup with immutable, off-site copies."
    (root / BM).write_text(bm.replace(summary, f"summary: {old}"))
    cli(tmp_path, "i18n", "extract")
    translate(root, {"play:backup-modernization:summary": "Band ersetzen."})
    (root / BM).write_text(bm.replace(summary, f"summary: {new}"))
    assert cli(tmp_path, "i18n", "extract")[0] == 0
    text = (root / "translations" / "de.po").read_text()
    # "20 % in" is no Python format (Babel flagged it so, and msgfmt held translations to it)
    assert "python-format" not in text
    lines = text.splitlines()
    at = lines.index('msgctxt "play:backup-modernization:summary"')
    told = []
    while lines[at - 1 - len(told)].startswith("#| "):
        told.insert(0, lines[at - 1 - len(told)])
    assert told[0] == '#| msgid ""' and len(told) > 2, told
    # each quoted line whole, and the quoted lines together the old source
    assert all(t.startswith('#| "') and t.endswith('"') for t in told[1:]), told
    assert "".join(t[4:-1] for t in told[1:]) == old
    msgfmt = shutil.which("msgfmt")
    assert msgfmt is not None, "make test installs gettext"
    checked = subprocess.run(
        [msgfmt, "--check-format", "-o", "/dev/null", str(root / "translations" / "de.po")],
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stderr


def test_translation_is_used_kept_by_extract_and_counted(tmp_path: Path) -> None:
    root = make_catalog(tmp_path, LOCALES)
    cli(tmp_path, "i18n", "extract")
    translate(root, {RESPONSE: RESPONSE_DE})
    assert cli(tmp_path, "check") == (0, "", "")
    assert cli(tmp_path, "i18n", "extract")[0] == 0
    assert po(root)[RESPONSE].string == RESPONSE_DE
    cat = catalog(root)
    tr = cat.translations
    assert tr.text("de", *RESPONSE_KEY, RESPONSE_EN) == (RESPONSE_DE, Status.TRANSLATED)
    assert tr.text("ja", *RESPONSE_KEY, RESPONSE_EN) == (RESPONSE_EN, Status.MISSING)
    assert tr.text("en", *RESPONSE_KEY, RESPONSE_EN) == (RESPONSE_EN, Status.SOURCE)
    play = tr.coverage()["de"]["play"]
    assert (play.translated, play.stale) == (1, 0) and play.missing == play.total - 1
    code, out, _ = cli(tmp_path, "i18n", "status")
    assert code == 0
    row = next(
        line.split() for line in out.splitlines() if line.startswith("de  ") and " play " in line
    )
    assert row[:4] == ["de", "play", "1", f"({100 // play.total}"]


def test_changed_source_makes_the_translation_stale_located_and_never_shown(
    tmp_path: Path,
) -> None:
    root = make_catalog(tmp_path, LOCALES)
    cli(tmp_path, "i18n", "extract")
    translate(root, {RESPONSE: RESPONSE_DE})
    line = po(root)[RESPONSE].lineno
    new_en = "Ask how long the last **full restore** took."
    bm = (root / BM).read_text()
    (root / BM).write_text(bm.replace(RESPONSE_EN, new_en))
    code, _, err = cli(tmp_path, "check")
    assert code == 0
    assert err.splitlines()[0] == (
        f"plays/translations/de.po:{line}:1: warning: stale translation of play"
        " 'backup-modernization' objections.1.response: its source text changed since it was"
        " translated; the source text is shown until it is translated again"
        " (`salesplay i18n extract` marks it, then update it and clear 'fuzzy')"
    )
    cat = catalog(root)
    assert cat.translations.text("de", *RESPONSE_KEY, new_en) == (new_en, Status.STALE)
    assert cat.translations.coverage()["de"]["play"].stale == 1
    code, out, _ = cli(tmp_path, "i18n", "status")
    assert code == 0 and out.endswith("\n1 stale: `salesplay check` shows each at its PO entry\n")
    # extract keeps the old translation for the translator, fuzzy, with the old source
    cli(tmp_path, "i18n", "extract")
    entry = po(root)[RESPONSE]
    assert (entry.id, entry.string, entry.fuzzy) == (new_en, RESPONSE_DE, True)
    # the old source as the previous msgid, which translators' tools show as a difference
    assert f'#| msgid "{RESPONSE_EN}"' in (root / "translations" / "de.po").read_text()
    code, _, err = cli(tmp_path, "check")
    assert "marked fuzzy (to review)" in err
    assert catalog(root).translations.text("de", *RESPONSE_KEY, new_en)[1] is Status.STALE
    # the translator updates it and clears 'fuzzy': used again
    translate(root, {RESPONSE: "Fragen Sie nach der letzten **vollständigen** Wiederherstellung."})
    assert cli(tmp_path, "check") == (0, "", "")
    assert catalog(root).translations.text("de", *RESPONSE_KEY, new_en)[1] is Status.TRANSLATED


def test_a_translation_follows_its_list_item_when_one_is_inserted_above(tmp_path: Path) -> None:
    root = make_catalog(tmp_path, LOCALES)
    cli(tmp_path, "i18n", "extract")
    translate(root, {RESPONSE: RESPONSE_DE})
    bm = (root / BM).read_text()
    first = "  - {objection: "
    item = '  - {objection: "Too expensive.", response: "Price one day of downtime."}\n'
    (root / BM).write_text(bm.replace(first, item + first, 1))
    cli(tmp_path, "i18n", "extract")
    messages = po(root)
    moved = messages["play:backup-modernization:objections.2.response"]
    assert (moved.id, moved.string, moved.fuzzy) == (RESPONSE_EN, RESPONSE_DE, False)
    assert messages[RESPONSE].string == ""  # the new item's response: to translate
    assert cli(tmp_path, "check") == (0, "", "")
    key = ("play", "backup-modernization", ("objections", 1, "response"))
    assert catalog(root).translations.text("de", *key, RESPONSE_EN)[1] is Status.TRANSLATED


SILVER = "catalog:catalog:tiers.silver.name"
#: minimal's tiers with names (gold left a bare id), in two languages
NAMED_TIERS = LOCALES["catalog.yaml"].replace(
    "tiers: [registered, silver, gold]",
    "tiers:\n  - {id: registered, name: Registered}\n  - {id: silver, name: Silver}\n  - gold",
)


def test_a_tiers_name_is_extracted_by_its_id_and_translated_like_any_text(
    tmp_path: Path,
) -> None:
    root = make_catalog(tmp_path, {"catalog.yaml": NAMED_TIERS})
    assert cli(tmp_path, "i18n", "extract")[0] == 0
    messages = po(root)
    entry = messages[SILVER]
    assert (entry.id, entry.string) == ("Silver", "")
    assert entry.locations == [("plays/catalog.yaml", 11)]
    assert entry.auto_comments == [
        f"{FINGERPRINT_NOTE}{fingerprint('Silver')}",
        "audience: partner",
    ]
    # a bare id is an identifier, shown as written: nothing to translate
    assert "catalog:catalog:tiers.registered.name" in messages
    assert not [c for c in messages if c.startswith("catalog:catalog:tiers.gold")]
    translate(root, {SILVER: "Silber"})
    assert cli(tmp_path, "check") == (0, "", "")
    german = localized(catalog(root), "de")
    assert german.config.tier_name("silver") == "Silber"
    assert german.config.tier_name("gold") == "gold"
    assert catalog(root).config.tier_name("silver") == "Silver"
    code, out, _ = cli(tmp_path, "i18n", "status")
    assert code == 0 and out.splitlines()[1].split()[:3] == ["de", "catalog", "1"]
    # a tier inserted below it keeps the translation where it is: it is keyed by the id
    text = (root / "catalog.yaml").read_text()
    (root / "catalog.yaml").write_text(
        text.replace("  - {id: silver", "  - bronze\n  - {id: silver")
    )
    assert cli(tmp_path, "i18n", "extract")[0] == 0
    assert po(root)[SILVER].string == "Silber"
    assert localized(catalog(root), "de").config.tier_name("silver") == "Silber"
    # a renamed tier: its translation is stale, said at its entry, and not shown
    line = po(root)[SILVER].lineno
    text = (root / "catalog.yaml").read_text()
    (root / "catalog.yaml").write_text(text.replace("name: Silver}", "name: Silver Plus}"))
    code, _, err = cli(tmp_path, "check")
    assert code == 0
    assert err.splitlines()[0].startswith(
        f"plays/translations/de.po:{line}:1: warning: stale translation of tier 'silver' name:"
        " its source text changed since it was translated"
    )
    assert localized(catalog(root), "de").config.tier_name("silver") == "Silver Plus"
    cli(tmp_path, "i18n", "extract")
    entry = po(root)[SILVER]
    assert (entry.id, entry.string, entry.fuzzy) == ("Silver Plus", "Silber", True)


def test_a_translated_internal_field_never_reaches_a_rep_edition(tmp_path: Path) -> None:
    canary = "KANARIENVOGEL-INTERN"
    bm = base_text(BM).replace(
        'response: "Ask how long the last **restore** took."}',
        'response: "Ask how long the last **restore** took.", audience: internal}',
    )
    root = make_catalog(tmp_path, {**LOCALES, BM: bm})
    cli(tmp_path, "i18n", "extract")
    translate(root, {RESPONSE: canary})
    cat = catalog(root)
    assert cat.translations.text("de", *RESPONSE_KEY, RESPONSE_EN) == (canary, Status.TRANSLATED)
    # the translation sits in the field it translates, so the edition restricts it as it
    # restricts its source: the German internal edition shows it, the German rep one not
    german = localized(cat, "de")
    internal = make_edition(german, "internal").plays["backup-modernization"]
    assert canary in [o.response for o in internal.objections]
    rep = make_edition(german, "rep")
    assert canary not in repr(rep)
    assert RESPONSE_EN not in [o.response for o in rep.plays["backup-modernization"].objections]
    shown = [
        cat.translations.text("de", *key, source)[0]
        for key, source in cat.translations.sources.items()
        if cat.audience(*key) != "internal"
    ]
    assert canary not in shown and len(shown) > 10


def test_locales_are_checked_against_babel_with_suggestions(tmp_path: Path) -> None:
    bad = {"catalog.yaml": base_text("catalog.yaml") + "locales: [German, pt-br, ja]\n"}
    make_catalog(tmp_path, bad)
    code, _, err = cli(tmp_path, "check")
    assert code == 1
    assert err.splitlines()[:2] == [
        "plays/catalog.yaml:18:11: error: 'locales.1': not a locale Babel knows (did you mean"
        " 'de'?); e.g. de, ja, pt_BR, found 'German'",
        "plays/catalog.yaml:18:19: error: 'locales.2': not a locale Babel knows (did you mean"
        " 'pt_BR'?); e.g. de, ja, pt_BR, found 'pt-br'",
    ]
    shutil.rmtree(tmp_path / "plays")
    make_catalog(tmp_path, {"catalog.yaml": base_text("catalog.yaml") + "locales: [en, ja, ja]\n"})
    code, _, err = cli(tmp_path, "check")
    assert code == 1
    assert err.splitlines()[:2] == [
        "plays/catalog.yaml:18:11: error: 'en' is the source locale (source_locale): list only"
        " the languages the catalog is translated into",
        "plays/catalog.yaml:18:19: error: locale 'ja' is listed twice",
    ]
    shutil.rmtree(tmp_path / "plays")
    make_catalog(tmp_path, LOCALES)
    result = run_cli("i18n", "extract", "--locale", "dee", "--catalog", "plays", cwd=tmp_path)
    assert result.code == 2
    assert "locale 'dee' is not in catalog.yaml locales (did you mean 'de'?)" in result.stderr
    # another case or separator, or a region added: the locale declared
    for spelt, meant in (("DE", "de"), ("de-DE", "de"), ("De_de", "de"), ("jp", "ja")):
        args = ("i18n", "extract", "--locale", spelt, "--catalog", "plays")
        result = run_cli(*args, cwd=tmp_path)
        said = f"locale '{spelt}' is not in catalog.yaml locales (did you mean '{meant}'?)"
        assert (result.code, said in result.stderr) == (2, True), result.stderr
    assert not (tmp_path / "plays" / "translations").exists()


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("jp", "ja"),  # Japan's country code, not Japanese's language code
        ("cn", "zh"),
        ("kr", "ko"),
        ("dk", "da"),
        ("gr", "el"),
        ("cz", "cs"),
        ("ua", "uk"),
        ("jp-JP", "ja_JP"),
        ("dee", "de"),  # as close to Ewe's 'ee': the common locale is meant
        ("esp", "es"),
    ],
)
def test_a_country_code_or_typo_in_locales_gets_the_locale_meant(
    tmp_path: Path, written: str, meant: str
) -> None:
    make_catalog(tmp_path, {"catalog.yaml": base_text("catalog.yaml") + f"locales: [{written}]\n"})
    code, _, err = cli(tmp_path, "check")
    assert code == 1
    assert err.splitlines() == [
        f"plays/catalog.yaml:18:11: error: 'locales.1': not a locale Babel knows (did you mean"
        f" '{meant}'?); e.g. de, ja, pt_BR, found '{written}'",
        "1 error, 0 warnings",
    ]


@pytest.mark.parametrize(
    ("written", "meant"),
    [("ger", "de"), ("fre", "fr"), ("in", "id"), ("iw_IL", "he_IL"), ("tl", "fil")],
)
def test_an_old_alias_babel_accepts_is_an_error_naming_the_code(
    tmp_path: Path, written: str, meant: str
) -> None:
    """`ger` passed check and built a German folder `ger/` with English labels: Babel read it
    as de_DE for dates, the labels and translations are looked up by the name written."""
    make_catalog(tmp_path, {"catalog.yaml": base_text("catalog.yaml") + f"locales: [{written}]\n"})
    code, _, err = cli(tmp_path, "check")
    assert code == 1
    assert err.splitlines() == [
        f"plays/catalog.yaml:18:11: error: 'locales.1': an old alias that Babel reads as"
        f" '{meant}', whose labels are not looked up under it (did you mean '{meant}'?),"
        f" found '{written}'",
        "1 error, 0 warnings",
    ]


def test_faults_in_po_files_are_located_and_extract_keeps_the_file(tmp_path: Path) -> None:
    root = make_catalog(tmp_path, LOCALES)
    cli(tmp_path, "i18n", "extract")
    translate(root, {RESPONSE: RESPONSE_DE})
    path = root / "translations" / "de.po"
    text = path.read_text()
    broken = text.replace(f'msgstr "{RESPONSE_DE}"', f'msgstr "{RESPONSE_DE}"\nmsgsrt "x"')
    path.write_text(broken)
    line = broken.splitlines().index('msgsrt "x"') + 1
    code, _, err = cli(tmp_path, "check")
    assert code == 1
    assert err.splitlines()[0].startswith(
        f"plays/translations/de.po:{line}:1: error: unknown keyword 'msgsrt'"
        " (did you mean 'msgstr'?)"
    )
    assert cli(tmp_path, "i18n", "extract")[0] == 1
    assert path.read_text() == broken  # nothing overwritten: the translations are not lost
    # a msgctxt the file ends with, no msgid after it: at its line
    path.write_text(text + '\nmsgctxt "play:backup-modernization:name"\n')
    code, _, err = cli(tmp_path, "check")
    line = len((text + "\n").splitlines()) + 1
    assert (code, err.splitlines()[0].split(" (")[0]) == (
        1,
        f"plays/translations/de.po:{line}:1: error: msgctxt with no msgid after it: an entry is"
        ' msgctxt "…", then msgid "source text" and msgstr "translation"',
    )
    # a stray text before the first entry: at its line, not at the file's last one
    path.write_text('"orphan"\n' + text)
    code, _, err = cli(tmp_path, "check")
    assert (code, err.splitlines()[0]) == (
        1,
        "plays/translations/de.po:1:1: error: a quoted text continues no keyword: it must"
        ' follow a msgctxt, msgid or msgstr line (msgid "…")',
    )
    # a translator's correction on a second msgstr line: Babel kept the first, silently
    twice = text.replace(f'msgstr "{RESPONSE_DE}"', f'msgstr "{RESPONSE_DE}"\nmsgstr "Neu."')
    path.write_text(twice)
    line = twice.splitlines().index('msgstr "Neu."') + 1
    code, _, err = cli(tmp_path, "check")
    assert (code, err.splitlines()[0]) == (
        1,
        f"plays/translations/de.po:{line}:1: error: a second msgstr in one entry (the first at"
        f' line {line - 1}): write its text as a continued line of the first ("…"), or delete'
        " the one out of date",
    )
    # a comment between the two is inside the entry: still a second msgstr
    noted = text.replace(
        f'msgstr "{RESPONSE_DE}"', f'msgstr "{RESPONSE_DE}"\n# corrected\nmsgstr "Neu."'
    )
    path.write_text(noted)
    line = noted.splitlines().index('msgstr "Neu."') + 1
    code, _, err = cli(tmp_path, "check")
    assert (code, err.splitlines()[0].split(": error: ")[0]) == (
        1,
        f"plays/translations/de.po:{line}:1",
    ), err
    path.write_text(broken)
    # a msgctxt naming no field, and a file for a locale not declared: warnings, not used
    path.write_text(
        text.replace(
            f'msgctxt "{RESPONSE}"', 'msgctxt "play:backup-modernization:objections.1.respons"'
        )
    )
    (root / "translations" / "fr.po").write_text(text)
    code, _, err = cli(tmp_path, "check")
    assert code == 0
    # its text is at the field it was meant for, where extract moves it
    assert (
        "(its text is now at 'play:backup-modernization:objections.1.response':"
        " `salesplay i18n extract` moves the translation there); it is not used" in err
    )
    assert "plays/translations/fr.po:1:1: warning: 'fr' is not in catalog.yaml locales" in err
    # a play file that cannot be read has its one error, nothing about its translations
    path.write_text(text)
    (root / BM).write_text(base_text(BM).replace("why_now: ", 'why_now: "'))
    code, _, err = cli(tmp_path, "check")
    assert code == 1
    assert f"plays/{BM}:" in err and "could not be read" in err
    assert "translations/de.po" not in err


def test_a_po_file_of_a_locale_not_built_is_one_warning_at_its_first_line(tmp_path: Path) -> None:
    root = make_catalog(tmp_path, LOCALES)
    (root / "translations").mkdir()
    (root / "translations" / "fr.po").write_text('msgid "Next"\nmsgstr "Suivant"\n')
    code, _, err = cli(tmp_path, "check")
    assert code == 0
    assert err.splitlines() == [
        "plays/translations/fr.po:1:1: warning: 'fr' is not in catalog.yaml locales: these"
        " translations are not used",
        "0 errors, 1 warning",
    ]


def test_a_repeated_po_entry_is_one_error_at_the_repeat_naming_the_first(
    tmp_path: Path,
) -> None:
    # Babel alone merges the two and keeps the first msgstr: the correction below was lost
    root = make_catalog(tmp_path, LOCALES)
    cli(tmp_path, "i18n", "extract")
    translate(root, {RESPONSE: RESPONSE_DE})
    path = root / "translations" / "de.po"
    text = path.read_text()
    first = text.splitlines().index(f'msgctxt "{RESPONSE}"') + 2  # its msgid's line
    again = text + f'\nmsgctxt "{RESPONSE}"\nmsgid "{RESPONSE_EN}"\nmsgstr "Korrektur"\n'
    path.write_text(again)
    code, _, err = cli(tmp_path, "check")
    assert code == 1
    assert err.splitlines() == [
        f"plays/translations/de.po:{len(again.splitlines()) - 1}:1: error: '{RESPONSE}' is"
        f" translated twice (first at line {first}): delete the entry that is out of date"
        " (a PO file has one entry per msgctxt and msgid)",
        "1 error, 0 warnings",
    ]
    assert cli(tmp_path, "i18n", "extract")[0] == 1
    assert path.read_text() == again  # extract neither drops the correction nor merges it


def test_context_ids_round_trip() -> None:
    assert message_context(RESPONSE_KEY) == RESPONSE
    assert parse_context(RESPONSE) == RESPONSE_KEY
    assert parse_context("play:x:discovery.0") is None
    assert parse_context("play:x") is None and parse_context("play:x:a..b") is None


def test_sample_catalog_translations_are_current(tmp_path: Path) -> None:
    """The shipped de, ja and ar files: in sync with the catalog, nothing stale, some
    translated."""
    root = tmp_path / "plays"
    shutil.copytree(SAMPLE, root)
    before = {p.name: p.read_bytes() for p in (root / "translations").glob("*.po")}
    code, _, err = cli(tmp_path, "i18n", "extract")
    assert code == 0, err
    assert {p.name: p.read_bytes() for p in (root / "translations").glob("*.po")} == before
    coverage = catalog(root).translations.coverage()
    assert set(coverage) == {"de", "ja", "ar"}
    for kinds in coverage.values():
        assert kinds["play"].translated >= 30 and kinds["destination"].translated >= 5
        assert sum(c.stale for c in kinds.values()) == 0


def test_extract_never_writes_through_a_link_in_translations(tmp_path: Path) -> None:
    root = make_catalog(tmp_path, LOCALES)
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me")
    (root / "translations").mkdir()
    for name in (".de.po.tmp", "de.po.tmp"):
        (root / "translations" / name).symlink_to(victim)
    # a link at a PO file's place, even one leading nowhere, is an error: never read or
    # written through (it was replaced, its language silently without translations in check)
    (root / "translations/ja.po").symlink_to(tmp_path / "x")
    code, _, err = cli(tmp_path, "i18n", "extract")
    assert (code, err.splitlines()) == (
        1,
        [
            "plays/translations/ja.po:1:1: error: 'ja.po' is a symlink that leads outside the"
            " catalog",
            "1 error, 0 warnings",
        ],
    )
    (root / "translations/ja.po").unlink()
    code, _, err = cli(tmp_path, "i18n", "extract")
    assert code == 0, err
    assert victim.read_text() == "keep me" and not (tmp_path / "x").exists()
    assert po(root, "de") and po(root, "ja")
    # a folder in a PO file's place is one located error of the check, before any is written
    (root / "translations" / "ja.po").unlink()
    (root / "translations" / "ja.po").mkdir()
    before = (root / "translations/de.po").read_bytes()
    code, out, err = cli(tmp_path, "i18n", "extract")
    assert (code, out) == (1, "")
    assert err.splitlines() == [
        "plays/translations/ja.po:1:1: error: cannot read file: Is a directory",
        "1 error, 0 warnings",
    ]
    assert (root / "translations/de.po").read_bytes() == before


def test_a_po_file_not_in_utf8_is_located_to_the_byte(tmp_path: Path) -> None:
    root = make_catalog(tmp_path, LOCALES)
    (root / "translations").mkdir()
    (root / "translations" / "de.po").write_bytes(b'# ok\nmsgid "caf\xe9"\n')
    code, _, err = cli(tmp_path, "check")
    assert code == 1
    assert err.splitlines()[0] == (
        "plays/translations/de.po:2:11: error: file is not valid UTF-8 (byte 0xe9); save it as"
        " UTF-8"
    )


def _check_po(tmp_path: Path, po_text: str) -> tuple[int, str]:
    root = make_catalog(tmp_path, LOCALES)
    (root / "translations").mkdir()
    (root / "translations" / "de.po").write_text(po_text, encoding="utf-8")
    code, _, err = cli(tmp_path, "check")
    return code, err


def test_an_entry_for_a_field_not_translated_says_so_with_no_did_you_mean(tmp_path: Path) -> None:
    entries = [
        "competitor:acme:name",  # a proper name
        "play:backup-modernization:audience",
        "play:backup-modernization:objections.1.audience",
        "play:backup-modernization:why_us.1",  # an id
        "play:backup-modernization:summery",  # no such field: a typo
    ]
    text = "".join(f'msgctxt "{c}"\nmsgid "x"\nmsgstr "y"\n\n' for c in entries)
    code, err = _check_po(tmp_path, text)
    assert code == 0
    assert err.splitlines() == [
        "plays/translations/de.po:2:1: warning: 'name' of competitor 'acme' is not translated"
        " (names stay as written); this entry is not used",
        "plays/translations/de.po:6:1: warning: 'audience' of play 'backup-modernization' is"
        " not translated (it is not text); this entry is not used",
        "plays/translations/de.po:10:1: warning: 'objections.1.audience' of play"
        " 'backup-modernization' is not translated (it is not text); this entry is not used",
        "plays/translations/de.po:14:1: warning: 'why_us.1' of play 'backup-modernization' is"
        " not translated (its value stays as written); this entry is not used",
        "plays/translations/de.po:18:1: warning: translation of"
        " 'play:backup-modernization:summery', which the catalog does not have (did you mean"
        " 'play:backup-modernization:summary'?); it is not used",
        "0 errors, 5 warnings",
    ]


ENTRY = f'msgctxt "{RESPONSE}"\nmsgid "{RESPONSE_EN}"\nmsgstr "{RESPONSE_DE}"\n'


@pytest.mark.parametrize(
    ("entry", "slip", "message"),
    [
        (  # the msgid deleted: its translation was read as the next entry's, and lost
            f'msgctxt "{RESPONSE}"\nmsgstr "{RESPONSE_DE}"\n',
            f'msgstr "{RESPONSE_DE}"',
            "msgstr with no msgid before it: an entry is msgid",
        ),
        (
            f'msgctxt "{RESPONSE}"\nmsgstr "{RESPONSE_DE}"\nmsgid "{RESPONSE_EN}"\n',
            f'msgstr "{RESPONSE_DE}"',
            "msgstr with no msgid before it",
        ),
        (
            f'msgctxt "{RESPONSE}"\nmsgid "{RESPONSE_EN}"\nmsgstr[0] "{RESPONSE_DE}"\n',
            f'msgstr[0] "{RESPONSE_DE}"',
            'msgstr[0] in an entry with no msgid_plural: write msgstr "…"',
        ),
        (
            f'msgid "{RESPONSE_EN}"\nmsgctxt "{RESPONSE}"\nmsgstr "{RESPONSE_DE}"\n',
            f'msgctxt "{RESPONSE}"',
            "msgctxt after the entry's msgid (line ",
        ),
        (
            f'msgctxt "{RESPONSE}"\nmsgid "{RESPONSE_EN}"\nmsgid_plural "x"\n'
            f'msgstr "{RESPONSE_DE}"\n',
            f'msgstr "{RESPONSE_DE}"',
            "msgstr in an entry with a msgid_plural (line ",
        ),
        (  # a blank line after the msgctxt: Babel dropped the context, msgfmt refuses it
            f'msgctxt "{RESPONSE}"\n\nmsgid "{RESPONSE_EN}"\nmsgstr "{RESPONSE_DE}"\n',
            f'msgctxt "{RESPONSE}"',
            'msgctxt with no msgid after it: an entry is msgctxt "…", then msgid',
        ),
    ],
    ids=[
        "no-msgid",
        "msgstr-first",
        "numbered-msgstr",
        "msgctxt-last",
        "plural-msgstr",
        "msgctxt-alone",
    ],
)
def test_an_entry_s_keywords_out_of_gettext_s_order_are_one_located_error(
    tmp_path: Path, entry: str, slip: str, message: str
) -> None:
    """Entries msgfmt (and so Poedit and Weblate) refuses passed `check`; one with no msgid
    gave its translation to the next entry, and `extract` then lost that entry's."""
    root = make_catalog(tmp_path, LOCALES)
    cli(tmp_path, "i18n", "extract")
    translate(root, {RESPONSE: RESPONSE_DE})
    path = root / "translations" / "de.po"
    text = path.read_text()
    assert ENTRY in text
    broken = text.replace(ENTRY, entry)
    path.write_text(broken)
    line = broken.splitlines().index(slip) + 1
    code, _, err = cli(tmp_path, "check")
    assert code == 1
    assert err.splitlines()[0].startswith(f"plays/translations/de.po:{line}:1: error: {message}")
    assert cli(tmp_path, "i18n", "extract")[0] == 1
    assert path.read_text() == broken  # nothing rewritten, nothing lost


def test_a_msgstr_without_quotes_is_one_located_error_not_a_mangled_text(tmp_path: Path) -> None:
    # Babel alone reads `msgstr Weiter` as "eite"
    code, err = _check_po(tmp_path, f'msgctxt "{RESPONSE}"\nmsgid "Next"\nmsgstr Weiter\n')
    assert code == 1
    assert err.splitlines()[:2] == [
        "plays/translations/de.po:3:8: error: a msgstr's text is not in double quotes: Weiter"
        ' (a msgstr\'s text must be in double quotes: msgstr "Weiter")',
        "1 error, 0 warnings",
    ]


def test_an_unterminated_quote_is_located_at_its_opening_quote(tmp_path: Path) -> None:
    # Babel alone accepts it silently
    code, err = _check_po(tmp_path, f'msgctxt "{RESPONSE}"\nmsgid "Next"\nmsgstr "Weiter\n')
    assert code == 1
    assert err.splitlines()[0].startswith(
        "plays/translations/de.po:3:8: error: unterminated text: a msgstr's text has no closing"
        " double quote"
    )
    # an escape Babel would keep as a backslash, and a second string on the line
    code, err = _check_po(tmp_path / "b", 'msgid "a"\nmsgstr "b\\q"\n')
    assert err.splitlines()[0].startswith(
        "plays/translations/de.po:2:10: error: invalid escape \\q in a msgstr's text"
    )
    code, err = _check_po(tmp_path / "c", 'msgid "a"\nmsgstr "b" "c"\n')
    assert err.splitlines()[0].startswith(
        "plays/translations/de.po:2:12: error: text after the closing quote"
    )


def test_a_control_character_in_a_translation_is_refused_as_in_the_catalog(
    tmp_path: Path,
) -> None:
    """A translation reaches the outputs its source does: a character the catalog's YAML
    refuses (XML and PowerPoint do) is refused in a PO file too, at its column, written as
    is or as the \\r escape; a tab and a line break are text there as in YAML."""
    entry = f'msgctxt "{RESPONSE}"\nmsgid "Next"\nmsgstr '
    code, err = _check_po(tmp_path, entry + '"Wei\x01ter"\n')
    assert (code, err.splitlines()[0]) == (
        1,
        "plays/translations/de.po:3:12: error: control character U+0001 in text: remove it"
        " (XML and PowerPoint refuse it)",
    )
    code, err = _check_po(tmp_path / "b", entry + '"Wei\\rter"\n')
    assert err.splitlines()[0].startswith(
        "plays/translations/de.po:3:12: error: control character U+000D in text"
    )
    code, err = _check_po(tmp_path / "c", entry + '"Wei\\tter\\n"\n')
    assert code == 0, err
    # an override left open: a warning, and the source text shown
    code, err = _check_po(tmp_path / "d", entry + '"Wei\u202eter"\n')
    assert code == 0, err
    assert "right-to-left override U+202E is never closed" in err


def test_a_po_file_with_every_construct_reads_clean(tmp_path: Path) -> None:
    text = (
        "\ufeff# translator comment\n"
        'msgid ""\n'
        'msgstr ""\n'
        '"Language: de\\n"\n'
        '"Plural-Forms: nplurals=2; plural=(n != 1);\\n"\n'
        "\n"
        "#. extracted comment\n"
        "#: plays/x.yaml:3\n"
        "#, fuzzy\n"
        '#| msgid "old"\n'
        f'msgctxt "{RESPONSE}"\n'
        'msgid "Say \\"hi\\"\\tand a \\\\ backslash"\n'
        '"continued\\n"\n'
        'msgstr ""\n'
        '    "Sag \\"hallo\\""\n'
        "\n"
        'msgid "one play"\n'
        'msgid_plural "%(num)d plays"\n'
        'msgstr[0] "ein Play"\n'
        'msgstr[1] "%(num)d Plays"\r\n'
        '#~| msgid "older"\n'
        '#~ msgid "obsolete"\n'
        '#~ msgstr "veraltet"\n'
    )
    from salesplay.i18n import read_po_file

    (tmp_path / "de.po").write_text(text, encoding="utf-8", newline="")
    catalog_ = read_po_file(tmp_path / "de.po", tmp_path)  # label overrides take plurals
    messages = {m.id: m for m in catalog_ if m.id}
    said = 'Say "hi"\tand a \\ backslashcontinued\n'
    assert messages[said].string == 'Sag "hallo"'
    assert messages[("one play", "%(num)d plays")].string == ("ein Play", "%(num)d Plays")
    assert [m.id for m in catalog_.obsolete.values()] == ["obsolete"]


def test_a_line_separator_in_a_text_stays_in_its_po_string(tmp_path: Path) -> None:
    """A U+2028 pasted into catalog text (kept in its text) was written by extract inside a
    quoted string, as gettext does; check then split the file there, called the string
    unterminated and refused the whole locale, extract too."""
    old = "Ask how long the last **restore** took."
    root = make_catalog(
        tmp_path, {**LOCALES, **replace_in(BM, old, "Ask how long\u2028the last restore took.")}
    )
    assert cli(tmp_path, "i18n", "extract")[0] == 0
    context = RESPONSE
    assert po(root)[context].id == "Ask how long\u2028the last restore took."
    translate(root, {context: "Fragen Sie\u2029wie lange."})
    assert cli(tmp_path, "check") == (0, "", "")
    assert cli(tmp_path, "i18n", "extract")[0] == 0
    assert po(root)[context].string == "Fragen Sie\u2029wie lange."


def test_a_translation_whose_text_went_away_comes_back_with_it(tmp_path: Path) -> None:
    """extract kept a removed text's translation as obsolete (#~) and the next extract
    deleted it: put back, the text was to translate again."""
    root = make_catalog(tmp_path, LOCALES)
    cli(tmp_path, "i18n", "extract")
    translate(root, {RESPONSE: RESPONSE_DE})
    play = root / BM
    original = play.read_text()
    item = f'  - {{objection: "We already have backups.", response: "{RESPONSE_EN}"}}\n'
    play.write_text(original.replace("objections:\n" + item, ""))
    for _ in range(2):  # twice: the obsolete entry is kept, not only made
        assert cli(tmp_path, "i18n", "extract")[0] == 0
        text = (root / "translations/de.po").read_text()
        assert f'#~ msgstr "{RESPONSE_DE}"' in text
    play.write_text(original)
    assert cli(tmp_path, "i18n", "extract")[0] == 0
    assert po(root)[RESPONSE].string == RESPONSE_DE
    assert "fuzzy" not in po(root)[RESPONSE].flags


SUMMARY = "play:backup-modernization:summary"


def test_a_translation_is_checked_as_its_source_is(tmp_path: Path) -> None:
    """check read only the source texts: a German summary naming a capability in development
    passed silently and the German partner kit stated it as fact; a link the outputs drop,
    or an image, was cut without a word; a blank translation emptied the card's title."""
    root = make_catalog(tmp_path, LOCALES)
    cli(tmp_path, "i18n", "extract")
    name = "play:backup-modernization:name"
    translate(
        root,
        {
            SUMMARY: "Ersetzen Sie Band durch Ransomware anomaly detection"
            " [Leitfaden](docs/g.pdf).",
            name: "\u200b ",
        },
    )
    code, _, err = cli(tmp_path, "check")
    assert code == 0
    lines = err.splitlines()
    entry = po(root)[SUMMARY].lineno  # where check places an entry
    at = f"plays/translations/de.po:{entry}:1: warning: the de translation:"
    assert (
        f"{at} 'Ransomware anomaly detection' names capability 'vault/anomaly-detection'"
    ) in "\n".join(lines)
    assert f"{at} link to 'docs/g.pdf' is left out of every output" in "\n".join(lines)
    assert any(
        "translation of play 'backup-modernization' name has no visible character"
        " (only U+200B, U+0020)" in line
        for line in lines
    ), lines
    tr = catalog(root).translations
    key = ("play", "backup-modernization", ("name",))
    assert tr.text("de", *key, "Backup modernization") == ("Backup modernization", Status.MISSING)


def test_a_play_s_target_a_customer_s_industry_and_the_tagline_are_translated(
    tmp_path: Path,
) -> None:
    """An Arabic kit showed its personas, segments, industries, the customers' industries
    and the company's tagline (the decks' closing slide) in English: extract wrote no entry
    for them, so no translator could."""
    root = make_catalog(tmp_path, LOCALES)
    assert cli(tmp_path, "i18n", "extract")[0] == 0
    entries = po(root)
    wanted = {
        "play:backup-modernization:target.segments.1": "mid-market",
        "play:backup-modernization:target.personas.1": "Head of infrastructure",
        "play:backup-modernization:target.economic_buyer": "CIO",
        "play:backup-modernization:proof.1.industry": "healthcare",
        "catalog:catalog:company.tagline": "Recover anything, anywhere.",
    }
    assert {k: entries[k].id for k in wanted} == wanted
    german = {
        "play:backup-modernization:target.segments.1": "Mittelstand",
        "play:backup-modernization:target.personas.1": "Leitung Infrastruktur",
        "play:backup-modernization:target.economic_buyer": "IT-Leitung",
        "play:backup-modernization:proof.1.industry": "Gesundheitswesen",
        "catalog:catalog:company.tagline": "Alles wiederherstellen, überall.",
    }
    translate(root, german)
    edition = make_edition(localized(catalog(root), "de"), "partner")
    play = edition.plays["backup-modernization"]
    assert play.target is not None
    assert (play.target.segments[0], play.target.personas[0], play.target.economic_buyer) == (
        "Mittelstand",
        "Leitung Infrastruktur",
        "IT-Leitung",
    )
    assert play.proof[0].industry == "Gesundheitswesen"
    assert edition.company.tagline == "Alles wiederherstellen, überall."
    # the source locale's edition is as written
    english = make_edition(catalog(root), "partner")
    assert english.company.tagline == "Recover anything, anywhere."


def test_a_translations_folder_that_cannot_be_entered_is_one_located_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`chmod 644 plays/translations` (listed, not entered) ended check and build in
    "internal error: PermissionError"."""
    make_catalog(tmp_path, LOCALES)
    cli(tmp_path, "i18n", "extract")
    real = Path.lstat

    def lstat(self: Path) -> os.stat_result:
        if self.parent.name == "translations" and self.suffix == ".po":
            raise PermissionError(13, "Permission denied")
        return real(self)

    monkeypatch.setattr(Path, "lstat", lstat)
    code, _, err = cli(tmp_path, "check")
    assert code == 1
    assert err.splitlines() == [
        "plays/translations:1:1: error: cannot read folder: Permission denied",
        "1 error, 0 warnings",
    ]


def test_a_translated_capability_name_is_found_in_text_written_without_spaces(
    tmp_path: Path,
) -> None:
    """Japanese writes no spaces between words: the roadmap lint, which matches whole words,
    never found a capability's Japanese name inside a Japanese sentence."""
    root = make_catalog(tmp_path, LOCALES)
    cli(tmp_path, "i18n", "extract")
    capability = "product:vault:capabilities.2.name"
    translate(
        root,
        {
            capability: "ランサムウェア異常検知",
            SUMMARY: "テープをランサムウェア異常検知で置き換えます。",
        },
        locale="ja",
    )
    code, _, err = cli(tmp_path, "check")
    assert code == 0, err
    said = [line for line in err.splitlines() if "the ja translation:" in line]
    assert (
        len(said) == 1
        and "'ランサムウェア異常検知' names capability 'vault/anomaly-detection'" in said[0]
    )


IMMUTABLE_DE = "Kann von niemandem geändert oder gelöscht werden, auch nicht mit Admin-Rechten."


def test_the_glossary_is_translated_term_and_meaning_keyed_by_the_term(tmp_path: Path) -> None:
    """A German card's decoder explained its terms in English, and never the words its
    German text writes. Each term and its meaning are a PO entry of their own, keyed by
    the term; a translated term ending in `*` explains every word it begins."""
    root = make_catalog(tmp_path, LOCALES)
    assert cli(tmp_path, "i18n", "extract")[0] == 0
    messages = po(root)
    assert messages["glossary:RPO:term"].id == "RPO"
    assert (
        messages["glossary:immutable:meaning"].id
        == base_text("glossary.yaml").split("immutable: ")[1].strip()
    )
    assert messages["glossary:immutable:meaning"].locations == [("plays/glossary.yaml", 2)]
    assert "audience: public" in messages["glossary:RPO:meaning"].auto_comments
    summary = "play:backup-modernization:summary"
    translate(
        root,
        {
            summary: "Ersetzen Sie Band und alte Backups durch unveränderliche Kopien.",
            "play:backup-modernization:why_now": "Versicherer verlangen unveränderlichen Schutz.",
            "glossary:immutable:term": "unveränderlich*",
            "glossary:immutable:meaning": IMMUTABLE_DE,
        },
    )
    assert cli(tmp_path, "check") == (0, "", "")
    german = make_edition(localized(catalog(root), "de"), "rep")
    assert german.plays["backup-modernization"].decoder == (("unveränderlich", IMMUTABLE_DE),)
    english = make_edition(catalog(root), "rep").plays["backup-modernization"].decoder
    assert [term for term, _ in english] == ["immutable"]
    # only the meaning translated: the term as written, where the German text writes it
    translate(root, {summary: "Unveränderliche (immutable) Kopien.", "glossary:immutable:term": ""})
    german = make_edition(localized(catalog(root), "de"), "rep")
    assert german.plays["backup-modernization"].decoder == (("immutable", IMMUTABLE_DE),)
    code, out, _ = cli(tmp_path, "i18n", "status")
    assert code == 0
    assert ["de", "glossary", "1", "(25", "%)", "0", "3", "4"] in [
        r.split() for r in out.splitlines()
    ]
    # a changed meaning: the old translation is stale and the English meaning is shown
    (root / "glossary.yaml").write_text(
        base_text("glossary.yaml").replace("admin rights.", "administrator rights."), "utf-8"
    )
    code, _, err = cli(tmp_path, "check")
    line = po(root)["glossary:immutable:meaning"].lineno
    assert code == 0 and err.splitlines()[0].startswith(
        f"plays/translations/de.po:{line}:1: warning: stale translation of glossary 'immutable'"
        " meaning: its source text changed"
    )
    decoder = make_edition(localized(catalog(root), "de"), "rep").plays["backup-modernization"]
    assert decoder.decoder[0][1].endswith("administrator rights.")


def test_a_renamed_glossary_terms_meaning_follows_it_and_its_word_is_offered_fuzzy(
    tmp_path: Path,
) -> None:
    """A term renamed ("immutable" to "immutability", its meaning as it was): its meaning's
    translation was kept as obsolete, to translate again, since a term's own text is its id
    and the two did not count as a rename. The meaning moves; the term's old translation is
    offered fuzzy, for review; `check` says so once, as `extract` does it."""
    root = make_catalog(tmp_path, LOCALES)
    assert cli(tmp_path, "i18n", "extract")[0] == 0
    translate(
        root,
        {"glossary:immutable:term": "unveränderlich*", "glossary:immutable:meaning": IMMUTABLE_DE},
    )
    glossary = root / "glossary.yaml"
    glossary.write_text(glossary.read_text("utf-8").replace("immutable:", "immutability:"))
    messages = _renamed_then_extracted(tmp_path, root, "glossary 'immutable'", "immutability")
    meaning = messages["glossary:immutability:meaning"]
    assert (meaning.string, meaning.fuzzy) == (IMMUTABLE_DE, False)
    term = messages["glossary:immutability:term"]
    assert (term.string, term.fuzzy) == ("unveränderlich*", True)
    written = (root / "translations/de.po").read_text("utf-8")
    assert '#| msgid "immutable"' in written  # the old term, for the translator's diff
    assert "glossary:immutable:" not in written
    # the word is the translator's to review
    code, _, err = cli(tmp_path, "check")
    assert code == 0 and "stale translation of glossary 'immutability' term" in err, err
    # a term removed and another added with another meaning: nothing moves, said once
    other = tmp_path / "other"
    root = make_catalog(other, LOCALES)
    assert cli(other, "i18n", "extract")[0] == 0
    translate(
        root,
        {"glossary:immutable:term": "unveränderlich*", "glossary:immutable:meaning": IMMUTABLE_DE},
    )
    (root / "glossary.yaml").write_text(
        base_text("glossary.yaml").splitlines()[0] + "\nWORM: Written once, read many times.\n"
    )
    code, _, err = cli(other, "check")
    lines = [x.split(": warning: ")[1] for x in err.splitlines() if "translations/" in x]
    assert lines == [
        "2 translations of glossary 'immutable', which the catalog does not have (`salesplay"
        " i18n extract` keeps them as obsolete entries, for a text that comes back); they are"
        " not used"
    ], err
    assert cli(other, "i18n", "extract")[0] == 0
    assert po(root)["glossary:WORM:term"].string == ""


def test_two_terms_translated_to_one_word_is_a_warning_and_the_first_is_explained(
    tmp_path: Path,
) -> None:
    root = make_catalog(tmp_path, LOCALES)
    assert cli(tmp_path, "i18n", "extract")[0] == 0
    translate(root, {"glossary:immutable:term": "RPO"})
    code, _, err = cli(tmp_path, "check")
    line = po(root)["glossary:immutable:term"].lineno
    assert code == 0
    assert err.splitlines() == [
        f"plays/translations/de.po:{line}:1: warning: glossary terms 'RPO' and 'immutable' are"
        " both 'RPO' in de: a card's decoder explains 'RPO' only; translate one of them"
        " otherwise",
        "0 errors, 1 warning",
    ]
    rpo = base_text("glossary.yaml").splitlines()[0]
    assert localized(catalog(root), "de").glossary == dict([rpo.split(": ", 1)])


@pytest.mark.parametrize(
    ("term", "text", "found"),
    [
        ("unveränderlich*", "Unveränderliche Kopien", True),
        ("unveränderlich*", "eine nicht unveränderlich gemachte", True),
        ("unveränderlich*", "veränderliche Kopien", False),  # a word that only ends so
        ("ab*", "abc abd", False),  # a stem under three letters is no wildcard
        ("ab*", "ab* steht da", True),  # … but the term as written
        ("ハイブリッドクラウド", "統合ハイブリッドクラウド", True),  # no spaces: no word ends
        ("改ざん不可能*", "改ざん不可能なコピー", True),
    ],
)
def test_a_wildcard_term_explains_each_word_it_begins(term: str, text: str, found: bool) -> None:
    from salesplay.jargon import glossary_terms_in

    assert glossary_terms_in(text, {term: "x"}) == ([term] if found else [])


def test_terms_of_one_word_in_two_cases_are_decoded_in_one_order_whatever_the_file_s(
    tmp_path: Path,
) -> None:
    """The saved jargon scans are kept by the glossary's sorted items: "RPO" and "rpo"
    swapped in the file reused the scan and kept the old order, where a clean build had the
    new one (an incremental build differed from a clean build)."""
    rpo = "RPO: Upper.\nrpo: Lower.\n"
    text = base_text(BM).replace("with immutable, off-site copies.", "with RPO and rpo.")
    decoders = []
    for order in (rpo, "rpo: Lower.\nRPO: Upper.\n"):
        root = make_catalog(tmp_path / str(len(decoders)), {"glossary.yaml": order, BM: text})
        play = make_edition(catalog(root), "rep").plays["backup-modernization"]
        decoders.append(play.decoder)
    assert decoders[0] == decoders[1] == (("RPO", "Upper."), ("rpo", "Lower."))


def test_a_wildcard_translation_and_a_word_in_another_case_are_one_term(tmp_path: Path) -> None:
    """`unveränderlich*` and `Unveränderlich` are both "unveränderlich" on the card: the
    clash went unsaid and the decoder explained the word twice."""
    glossary = base_text("glossary.yaml") + "tamper-proof: Nobody can change it unnoticed.\n"
    root = make_catalog(tmp_path, {**LOCALES, "glossary.yaml": glossary})
    assert cli(tmp_path, "i18n", "extract")[0] == 0
    translate(
        root,
        {
            "glossary:immutable:term": "unveränderlich*",
            "glossary:tamper-proof:term": "Unveränderlich",
        },
    )
    code, _, err = cli(tmp_path, "check")
    line = po(root)["glossary:tamper-proof:term"].lineno
    assert code == 0 and err.splitlines()[0] == (
        f"plays/translations/de.po:{line}:1: warning: glossary terms 'immutable' and"
        " 'tamper-proof' are both 'Unveränderlich' in de: a card's decoder explains"
        " 'immutable' only; translate one of them otherwise"
    )
    assert "Unveränderlich" not in localized(catalog(root), "de").glossary


def test_a_term_with_a_colon_is_read_back_and_its_entries_wait_for_a_broken_glossary(
    tmp_path: Path,
) -> None:
    glossary = base_text("glossary.yaml") + "'Note: RTO': Recovery time objective.\n"
    root = make_catalog(tmp_path, {**LOCALES, "glossary.yaml": glossary})
    assert cli(tmp_path, "i18n", "extract")[0] == 0
    assert po(root)["glossary:Note: RTO:meaning"].id == "Recovery time objective."
    assert parse_context("glossary:Note: RTO:meaning") == ("glossary", "Note: RTO", ("meaning",))
    # the glossary breaks: its one error, and nothing about the entries of its terms
    (root / "glossary.yaml").write_text(glossary + "RTO: [unclosed\n")
    code, _, err = cli(tmp_path, "check")
    assert code == 1
    assert [ln for ln in err.splitlines() if "translations/" in ln] == []
    assert err.splitlines()[-1] == "1 error, 0 warnings"


def test_a_long_term_breaks_and_an_english_one_keeps_its_direction_on_an_arabic_card(
    tmp_path: Path,
) -> None:
    from salesplay.labels import labels_for
    from salesplay.render import html
    from salesplay.render.templates import THEME_DIR, make_env

    long = "Wiederherstellungspunktzielvereinbarungsdokumentation"
    glossary = base_text("glossary.yaml") + f"{long}: A long word.\nRTO (goal): How long.\n"
    text = base_text(BM).replace("with immutable, off-site copies.", f"with {long} and RTO (goal).")
    root = make_catalog(
        tmp_path,
        {
            "catalog.yaml": base_text("catalog.yaml") + "locales: [ar]\n",
            "glossary.yaml": glossary,
            BM: text,
        },
    )
    cat = localized(catalog(root), "ar")
    labels = labels_for("ar", [THEME_DIR])
    edition = make_edition(cat, "rep", labels=labels)
    env = make_env(None, labels=labels)
    page = html.battlecard(
        env, edition, "backup-modernization", html.Links.for_site(1), medium="web"
    )
    decoder = page.split('class="decoder"')[1]
    assert f'<dt><span dir="ltr">{long[:16]}<wbr>{long[16:32]}<wbr>' in decoder
    assert '<dt><span dir="ltr">RTO (goal)</span></dt>' in decoder


NAME_DE = "Backup-Modernisierung"


def _rename_play(root: Path, new: str) -> None:
    """What a marketer does to rename a play: its file, and the path step naming it."""
    (root / BM).rename(root / f"plays/{new}.yaml")
    path = root / "paths/resilience-journey.yaml"
    path.write_text(path.read_text().replace("play: backup-modernization", f"play: {new}"))


def _renamed_then_extracted(tmp_path: Path, root: Path, old: str, new: str) -> dict[str, Any]:
    """`check` says once that the two translations of `old` go to `new` when extract runs;
    extract runs; the German file's entries after it."""
    code, _, err = cli(tmp_path, "check")
    lines = [x for x in err.splitlines() if "translations/" in x]
    assert code == 0 and len(lines) == 1, err
    assert lines[0].endswith(
        f"warning: 2 translations of {old}, which the catalog does not have (renamed"
        f" '{new}'? `salesplay i18n extract` moves them to it, as they were made from its"
        " texts); they are not used"
    ), lines
    assert cli(tmp_path, "i18n", "extract")[0] == 0
    return po(root)


def test_a_renamed_plays_translations_follow_it_and_check_says_so_once(tmp_path: Path) -> None:
    """A play's file renamed: `check` gave one warning for each of its translated texts in
    each language, each with a did-you-mean, and `i18n extract` kept none of them (each
    became an obsolete entry, its text to translate again under the new id)."""
    root = make_catalog(tmp_path, LOCALES)
    cli(tmp_path, "i18n", "extract")
    translate(root, {RESPONSE: RESPONSE_DE, "play:backup-modernization:name": NAME_DE})
    _rename_play(root, "backup-refresh")
    messages = _renamed_then_extracted(tmp_path, root, "play 'backup-modernization'",
                                       "backup-refresh")  # fmt: skip
    moved = messages["play:backup-refresh:objections.1.response"]
    assert (moved.string, moved.fuzzy) == (RESPONSE_DE, False)
    assert messages["play:backup-refresh:name"].string == NAME_DE
    assert "backup-modernization" not in (root / "translations/de.po").read_text()
    assert cli(tmp_path, "check") == (0, "", "")


def test_a_renamed_plays_list_item_moved_by_an_insertion_keeps_its_translation(
    tmp_path: Path,
) -> None:
    """A play renamed and an item inserted above a translated one in the same edit: the
    translation went, fuzzy, to the item now at its old place (the new one), and the item it
    was made from was left to translate again, as if the play had not been renamed it
    follows its item, as translated."""
    root = make_catalog(tmp_path, LOCALES)
    cli(tmp_path, "i18n", "extract")
    summary = "play:backup-modernization:summary"
    translate(root, {RESPONSE: RESPONSE_DE, "play:backup-modernization:name": NAME_DE,
                     summary: "Die Zusammenfassung."})  # fmt: skip
    _rename_play(root, "backup-refresh")
    play = root / "plays/backup-refresh.yaml"
    first = "  - {objection: "
    item = '  - {objection: "Too expensive.", response: "Price one day of downtime."}\n'
    play.write_text(play.read_text().replace(first, item + first, 1))
    assert cli(tmp_path, "i18n", "extract")[0] == 0
    messages = po(root)
    moved = messages["play:backup-refresh:objections.2.response"]
    assert (moved.id, moved.string, moved.fuzzy) == (RESPONSE_EN, RESPONSE_DE, False)
    inserted = messages["play:backup-refresh:objections.1.response"]
    assert (inserted.string, inserted.fuzzy) == ("", False)
    assert messages["play:backup-refresh:name"].string == NAME_DE
    assert messages["play:backup-refresh:summary"].string == "Die Zusammenfassung."
    assert cli(tmp_path, "check") == (0, "", "")


def test_a_removed_plays_translations_never_move_to_another_play(tmp_path: Path) -> None:
    """A play removed: its translations are kept as obsolete entries, not given to a play
    whose texts they were not made from (a did-you-mean named another play's entries)."""
    root = make_catalog(tmp_path, LOCALES)
    cli(tmp_path, "i18n", "extract")
    translate(root, {RESPONSE: RESPONSE_DE, "play:backup-modernization:name": NAME_DE})
    # another play takes its place in the path; its texts are not the removed one's
    _rename_play(root, "backup-refresh")
    other = root / "plays/backup-refresh.yaml"
    text = other.read_text()
    # one short text in common (its name) is no rename: its translation may be the old
    # play's own wording
    other.write_text(text.replace(RESPONSE_EN, "Ask what a day of downtime costs."))
    code, _, err = cli(tmp_path, "check")
    assert code == 0
    lines = [x for x in err.splitlines() if "translations/" in x]
    assert lines == [
        "plays/translations/de.po:"
        + lines[0].split(":")[1]
        + ":1: warning: 2 translations of play 'backup-modernization', which the catalog does"
        " not have (`salesplay i18n extract` keeps them as obsolete entries, for a text that"
        " comes back); they are not used"
    ], err
    assert cli(tmp_path, "i18n", "extract")[0] == 0
    messages = po(root)
    assert messages["play:backup-refresh:objections.1.response"].string == ""
    assert messages["play:backup-refresh:name"].string == ""
    assert f'#~ msgstr "{RESPONSE_DE}"' in (root / "translations/de.po").read_text()
    assert f'#~ msgstr "{NAME_DE}"' in (root / "translations/de.po").read_text()


def _translation_warnings(tmp_path: Path) -> tuple[list[str], str]:
    """What `check` warns of the translations files (each message), and all it said; it
    passes."""
    code, _, err = cli(tmp_path, "check")
    assert code == 0, err
    return [x.split(": warning: ", 1)[1] for x in err.splitlines() if "translations/" in x], err


def test_an_entry_whose_list_item_moved_says_where_its_text_is_now(tmp_path: Path) -> None:
    """An objection removed above a translated one: its entry's id names nothing, and the
    entry now at its text's place is stale. Both say that the text moved and that `i18n
    extract` moves the translation; an empty entry for a text not there says nothing. And
    one inserted above: the entry at its place says where its text went."""
    root = make_catalog(tmp_path, LOCALES)
    bm = (root / BM).read_text()
    first = "  - {objection: "
    item = '  - {objection: "Too expensive.", response: "Price one day of downtime."}\n'
    (root / BM).write_text(bm.replace(first, item + first, 1))
    cli(tmp_path, "i18n", "extract")
    later = "play:backup-modernization:objections.2.response"
    translate(root, {later: RESPONSE_DE, RESPONSE: "Rechnen Sie einen Tag Ausfall vor."})
    (root / BM).write_text(bm)  # the first item removed: the second is first again
    lines, err = _translation_warnings(tmp_path)
    assert lines == [
        "stale translation of play 'backup-modernization' objections.1.response: its text was"
        f" at '{later}'; the source text is shown until it is translated again (`salesplay"
        " i18n extract` moves that translation here)",
        f"translation of '{later}', which the catalog does not have (its text is now at"
        f" '{RESPONSE}': `salesplay i18n extract` moves the translation there); it is not"
        " used",
    ], err
    assert cli(tmp_path, "i18n", "extract")[0] == 0
    assert po(root)[RESPONSE].string == RESPONSE_DE
    # an objection inserted above the translated one: extract moves it down, as check says
    (root / BM).write_text(bm.replace(first, item + first, 1))
    lines, err = _translation_warnings(tmp_path)
    assert lines == [
        "stale translation of play 'backup-modernization' objections.1.response: its text is"
        f" now at '{later}'; the source text is shown until it is translated again"
        " (`salesplay i18n extract` moves this translation there)",
    ], err
    assert cli(tmp_path, "i18n", "extract")[0] == 0
    assert po(root)[later].string == RESPONSE_DE


def test_a_stale_translation_stays_stale_through_extracts_and_an_obsolete_spell(
    tmp_path: Path,
) -> None:
    """A fuzzy entry's old source (`#| msgid`) became a translator comment on the next
    extract (Babel reads it so); and a stale translation whose text went away and came back
    came back current, used for a text it was not made from (an obsolete entry kept neither
    its fuzziness nor what it was made from)."""
    root = make_catalog(tmp_path, LOCALES)
    cli(tmp_path, "i18n", "extract")
    translate(root, {RESPONSE: RESPONSE_DE})
    new_en = "Ask how long the last **full restore** took."
    bm = (root / BM).read_text()
    edited = bm.replace(RESPONSE_EN, new_en)
    (root / BM).write_text(edited)
    cli(tmp_path, "i18n", "extract")
    path = root / "translations" / "de.po"
    first = path.read_text()
    assert f'#| msgid "{RESPONSE_EN}"' in first
    cli(tmp_path, "i18n", "extract")
    assert path.read_text() == first  # nothing changed: the same file
    # the objection goes away for a while, then comes back as edited
    item = f'  - {{objection: "We already have backups.", response: "{new_en}"}}\n'
    assert item in edited
    (root / BM).write_text(edited.replace("objections:\n" + item, ""))
    assert cli(tmp_path, "i18n", "extract")[0] == 0
    assert f'#~ msgstr "{RESPONSE_DE}"' in path.read_text()
    (root / BM).write_text(edited)
    cli(tmp_path, "i18n", "extract")
    entry = po(root)[RESPONSE]
    assert (entry.string, entry.fuzzy) == (RESPONSE_DE, True)
    assert catalog(root).translations.text("de", *RESPONSE_KEY, new_en) == (new_en, Status.STALE)
    assert "# fuzzy (to review)" not in path.read_text()  # kept only while obsolete


def _two_plays_translated(tmp_path: Path, more: dict[str, str] | None = None) -> Path:
    """The catalog, with German for both plays' names, one of each's texts, and `more`."""
    root = make_catalog(tmp_path, LOCALES)
    cli(tmp_path, "i18n", "extract")
    texts = {
        "play:backup-modernization:name": NAME_DE,
        RESPONSE: RESPONSE_DE,
        "play:recovery-drills:name": "Wiederherstellungsübungen",
        "play:recovery-drills:summary": "Belegen Sie die Wiederherstellung jedes Quartal.",
    }
    translate(root, {**texts, **(more or {})})
    return root


def test_two_plays_whose_ids_were_swapped_take_each_others_translations(tmp_path: Path) -> None:
    """Two plays' files swapped (each id now names the other's texts): no translation
    followed its play; each became fuzzy on the other's texts, and `check` gave one stale
    warning per text. Now check says it once per play and file, and extract moves them."""
    root = _two_plays_translated(tmp_path)
    bm, rd = root / BM, root / "plays/recovery-drills.yaml"
    bm_text, rd_text = bm.read_text(), rd.read_text()
    bm.write_text(rd_text)
    rd.write_text(bm_text)
    path = root / "paths/resilience-journey.yaml"
    text = path.read_text().replace("play: backup-modernization", "play: @")
    text = text.replace("play: recovery-drills", "play: backup-modernization")
    path.write_text(text.replace("play: @", "play: recovery-drills"))
    code, _, err = cli(tmp_path, "check")
    assert code == 0, err
    lines = sorted(x.split(": warning: ", 1)[1] for x in err.splitlines() if "translations/" in x)
    tail = "(ids swapped, or renamed?): the source texts are shown until `salesplay i18n"
    assert lines == [
        "2 translations of play 'backup-modernization' were made from the texts play"
        f" 'recovery-drills' has now {tail} extract` moves them there",
        "2 translations of play 'recovery-drills' were made from the texts play"
        f" 'backup-modernization' has now {tail} extract` moves them there",
    ], err
    assert cli(tmp_path, "i18n", "extract")[0] == 0
    messages = po(root)
    assert messages["play:recovery-drills:name"].string == NAME_DE
    assert messages["play:backup-modernization:name"].string == "Wiederherstellungsübungen"
    assert not messages["play:recovery-drills:name"].fuzzy
    assert cli(tmp_path, "check") == (0, "", "")


def test_an_obsolete_entry_sharing_a_live_ones_msgctxt_is_kept_and_comes_back(
    tmp_path: Path,
) -> None:
    """The first of two objections removed: the second moved up into its msgctxt, and the
    next extract, with nothing changed, dropped the removed one's obsolete entry (entries
    were kept by msgctxt alone); put back, it was to translate again."""
    root = make_catalog(tmp_path, LOCALES)
    bm = (root / BM).read_text()
    first = "  - {objection: "
    item = '  - {objection: "Too expensive.", response: "Price one day of downtime."}\n'
    both = bm.replace(first, item + first, 1)
    (root / BM).write_text(both)
    cli(tmp_path, "i18n", "extract")
    dear = "play:backup-modernization:objections.1.response"
    later = "play:backup-modernization:objections.2.response"
    translate(root, {dear: "Rechnen Sie einen Tag Ausfall vor.", later: RESPONSE_DE})
    (root / BM).write_text(bm)  # the first item removed: the second takes its msgctxt
    path = root / "translations" / "de.po"
    for _ in range(2):  # twice: the second extract, with nothing changed, keeps it too
        assert cli(tmp_path, "i18n", "extract")[0] == 0
        assert '#~ msgstr "Rechnen Sie einen Tag Ausfall vor."' in path.read_text()
    (root / BM).write_text(both)
    assert cli(tmp_path, "i18n", "extract")[0] == 0
    assert po(root)[dear].string == "Rechnen Sie einen Tag Ausfall vor."
    assert po(root)[later].string == RESPONSE_DE


def test_a_play_renamed_onto_a_removed_ones_id_takes_its_own_translations(
    tmp_path: Path,
) -> None:
    """recovery-drills removed and backup-modernization renamed to its id: extract moved the
    renamed play's translations there, while check said they would be kept as obsolete
    entries and gave a stale warning for each of the removed play's texts."""
    root = _two_plays_translated(tmp_path, {"play:backup-modernization:summary": "Band ersetzen."})
    (root / "plays/recovery-drills.yaml").unlink()
    _rename_play(root, "recovery-drills")
    path = root / "paths/resilience-journey.yaml"
    text = path.read_text()
    # the path named both: it keeps one step, for the play that is left
    path.write_text(text[: text.rindex("  - play: recovery-drills")])
    code, _, err = cli(tmp_path, "check")
    assert code == 0, err
    lines = [x.split(": warning: ", 1)[1] for x in err.splitlines() if "translations/" in x]
    assert lines == [
        "3 translations of play 'backup-modernization', which the catalog does not have"
        " (renamed 'recovery-drills'? `salesplay i18n extract` moves them to it, as they were"
        " made from its texts); they are not used"
    ], err
    assert cli(tmp_path, "i18n", "extract")[0] == 0
    assert po(root)["play:recovery-drills:name"].string == NAME_DE
    assert '#~ msgstr "Wiederherstellungsübungen"' in (root / "translations/de.po").read_text()


def test_a_renamed_plays_latest_translations_win_over_older_obsolete_ones(
    tmp_path: Path,
) -> None:
    """A play removed (its translations kept as obsolete entries), back under another id and
    translated anew, then given its old id again: extract took the old obsolete wording and
    put the translator's latest work aside, while check said the latest would move."""
    root = make_catalog(tmp_path, LOCALES)
    cli(tmp_path, "i18n", "extract")
    translate(root, {"play:backup-modernization:name": NAME_DE, RESPONSE: RESPONSE_DE})
    play = (root / BM).read_text()
    path = root / "paths/resilience-journey.yaml"
    journey = path.read_text()
    (root / BM).unlink()
    step = journey[
        journey.index("  - play: backup-modernization") : journey.index("  - play: recovery")
    ]
    path.write_text(journey.replace(step, ""))
    assert cli(tmp_path, "i18n", "extract")[0] == 0  # the old wording: obsolete entries
    assert f'#~ msgstr "{NAME_DE}"' in (root / "translations/de.po").read_text()
    (root / "plays/bm2.yaml").write_text(play)
    path.write_text(journey.replace("play: backup-modernization", "play: bm2"))
    assert cli(tmp_path, "i18n", "extract")[0] == 0
    newer = {"play:bm2:name": "Backup erneuern [v2]", "play:bm2:objections.1.response": "[v2]"}
    translate(root, newer)
    (root / "plays/bm2.yaml").rename(root / BM)
    path.write_text(journey)
    code, _, err = cli(tmp_path, "check")
    assert code == 0
    assert "2 translations of play 'bm2'" in err and "renamed 'backup-modernization'" in err, err
    assert cli(tmp_path, "i18n", "extract")[0] == 0
    messages = po(root)
    assert messages["play:backup-modernization:name"].string == "Backup erneuern [v2]"
    assert messages[RESPONSE].string == "[v2]"


@pytest.mark.parametrize("what", ["pipe", "folder"])
def test_a_translations_file_that_is_no_file_is_an_error_and_extract_never_hangs(
    tmp_path: Path, what: str
) -> None:
    """A named pipe (or a folder) at translations/de.po passed `check` and `build`, German
    made with no translation and nothing said, and `i18n extract` hung on the pipe for
    ever. It is a located error in both, as a YAML file that is no file is."""
    root = make_catalog(tmp_path, LOCALES)
    (root / "translations").mkdir()
    target = root / "translations/de.po"
    os.mkfifo(target) if what == "pipe" else target.mkdir()
    why = "it is a named pipe (FIFO), not a regular file" if what == "pipe" else "Is a directory"
    line = f"plays/translations/de.po:1:1: error: cannot read file: {why}"
    code, _, err = cli(tmp_path, "check")
    assert (code, err.splitlines()) == (1, [line, "1 error, 0 warnings"])
    # in a process of its own: a hang fails the test instead of stopping the suite
    done = subprocess.run(
        [str(SALESPLAY), "i18n", "extract", "--catalog", "plays", "--locale", "de"],
        cwd=tmp_path, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 1 and line in done.stderr.splitlines(), done.stderr


def test_a_translators_audience_note_is_what_the_editions_show(tmp_path: Path) -> None:
    """A PO entry's `audience:` tells a translator who reads the text: a capability still in
    development was marked `public` (its product's audience). It is marked as the editions
    narrow it by its roadmap stage; not by its review age, which changes with the day: a
    PO file changed with the date alone."""
    ibd = "differentiators/immutable-by-default.yaml"
    stale = {ibd: base_text(ibd).replace("reviewed: 2026-09-15", "reviewed: 2025-01-01")}
    root = make_catalog(tmp_path, {**LOCALES, **stale})
    assert cli(tmp_path, "i18n", "extract")[0] == 0
    notes = {k: m.auto_comments for k, m in po(root).items()}
    assert "audience: partner" in notes["product:vault:capabilities.1.name"]  # ga
    assert "audience: rep" in notes["product:vault:capabilities.2.name"]  # development
    assert "audience: rep" in notes["differentiator:anomaly-alerts:claim"]  # on the roadmap
    fresh = make_catalog(tmp_path / "fresh", LOCALES)
    assert cli(tmp_path / "fresh", "i18n", "extract")[0] == 0
    claim = "differentiator:immutable-by-default:claim"
    said = po(fresh)[claim].auto_comments
    assert [n for n in notes[claim] if "audience" in n] == [n for n in said if "audience" in n]
    assert "audience: partner" in said


def test_a_proof_slides_customer_and_industry_are_joined_with_the_locales_comma() -> None:
    """An Arabic or Japanese proof slide said "Contoso Health, الرعاية الصحية": a Latin
    comma, where the cards' lists take the locale's ("، ", "、")."""
    from salesplay.labels import labels_for
    from salesplay.render import decks

    cat = catalog(SAMPLE)
    for locale, comma in (("ar", "\u060c "), ("ja", "\u3001"), ("en", ", ")):
        rep = make_edition(localized(cat, locale), "rep", labels=labels_for(locale))
        said = [
            slide.subtitle
            for pid in rep.plays
            for slide in decks.enablement_slides(rep, pid)
            if slide.layout in ("Proof", "Statement") and slide.subtitle
        ]
        assert [who for who in said if who.startswith(f"Contoso Health{comma}")], said


def test_a_plays_partner_incentives_are_translated_as_its_other_programme_texts(
    tmp_path: Path,
) -> None:
    """A German card and kit showed an incentive in English under "Anreiz": `extract` wrote
    no entry for `partner.incentives`, and one added by hand was "not translated"."""
    spiff = "Double spiff on the first three deals this quarter."
    text = base_text(BM).replace(
        "partner: {role: Partner runs the proof of concept, min_tier: silver}",
        f"partner: {{role: Partner runs the proof of concept, min_tier: silver,"
        f" incentives: [{spiff}]}}",
    )
    root = make_catalog(tmp_path, {**LOCALES, BM: text})
    assert cli(tmp_path, "i18n", "extract")[0] == 0
    key = "play:backup-modernization:partner.incentives.1"
    assert po(root)[key].id == spiff
    translate(root, {key: "Doppelte Prämie für die ersten drei Deals."})
    assert cli(tmp_path, "check") == (0, "", "")
    german = make_edition(localized(catalog(root), "de"), "partner")
    role = german.plays["backup-modernization"].partner
    assert role is not None
    assert role.incentives == ("Doppelte Prämie für die ersten drei Deals.",)


@pytest.mark.parametrize("count", ["0", "7", "99999999999"])
@pytest.mark.parametrize("where", ["catalog", "labels"])
def test_a_plural_count_no_language_has_is_one_error_at_the_header(
    tmp_path: Path, count: str, where: str
) -> None:
    """Babel makes nplurals strings for each plural entry it reads: 99999999999 took all of
    the machine's memory, in `check` as in `build` (a catalog's translations, or a
    project's rewording of the built-in labels in templates/locale/)."""
    root = make_catalog(tmp_path, LOCALES)
    if where == "catalog":
        cli(tmp_path, "i18n", "extract")
        path = root / "translations" / "de.po"
        text = path.read_text() + '\nmsgid "a"\nmsgid_plural "b"\nmsgstr[0] "c"\n'
        shown = "plays/translations/de.po"
    else:
        path = tmp_path / "templates" / "locale" / "de.po"
        path.parent.mkdir(parents=True)
        text = (THEME_DIR / "locale" / "de.po").read_text()  # it has plural entries
        shown = "templates/locale/de.po"
    assert "nplurals=2;" in text
    path.write_text(text.replace("nplurals=2;", f"nplurals={count};"))
    line = text[: text.index("nplurals=2;")].count("\n") + 1
    code, _, err = cli(tmp_path, "check")
    assert code == 1
    assert [e for e in err.splitlines() if ": error: " in e] == [
        f"{shown}:{line}:1: error: Plural-Forms gives nplurals={count}: a language has 1 to 6"
        " plural forms (copy the header of the language's PO file from msginit or CLDR)"
    ]


def test_a_translation_past_what_any_output_can_lay_out_is_an_error_at_its_entry(
    tmp_path: Path,
) -> None:
    root = make_catalog(tmp_path, LOCALES)
    cli(tmp_path, "i18n", "extract")
    translate(root, {RESPONSE: "Fragen Sie " + "m" * 1_200})
    line = po(root)[RESPONSE].lineno
    code, _, err = cli(tmp_path, "check")
    assert code == 1
    assert [ln for ln in err.splitlines() if ": error: " in ln] == [
        f"plays/translations/de.po:{line}:1: error: the de translation has a word of 1,200"
        " characters ('mmmmmmmmmmmmmmmmmmmm…'); a word has at most 1,000: put spaces in it"
    ]

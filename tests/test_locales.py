"""Outputs per locale: a tree per locale, translated text, the kits a partner gets."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from conftest import base_text, make_catalog
from salesplay.families import family, owner
from salesplay.locales import delocalized, languages, localized_path
from test_i18n import RESPONSE, RESPONSE_DE, RESPONSE_EN, catalog, cli, translate

NAME = "play:backup-modernization:name"
NAME_DE = "Backup-Modernisierung"
LOCALES = {"catalog.yaml": base_text("catalog.yaml") + "locales: [de, ja]\n"}


def test_locale_paths_mirror_the_source_tree_and_keep_their_family_and_audience() -> None:
    assert localized_path("battlecards/x.pdf", "en", "en") == "battlecards/x.pdf"
    assert localized_path("battlecards/x.pdf", "de", "en") == "de/battlecards/x.pdf"
    assert localized_path("matrix.html", "pt_BR", "en") == "pt_BR/matrix.html"
    assert delocalized("de/site/battlecards/x.html") == ("site/battlecards/x.html", "de")
    assert delocalized("site/battlecards/x.html") == ("site/battlecards/x.html", None)
    # a public competitor card stays public in every language (the canary scan relies on it)
    assert family("competitors").audience_of("de/competitors/public/acme.pdf") == "public"
    assert family("competitors").audience_of("de/competitors/acme.pdf") == "rep"
    assert owner("ja/kits/blue-river.zip") is family("kits")
    # the marketers' reports and the feeds are made in the source locale only
    assert owner("de/reports/check.json") is None
    assert owner("de/feed/rep.json") is None


def test_switcher_leads_to_the_same_page_in_each_language() -> None:
    found = languages("site/battlecards/x.html", "de", ("en", "de", "ar"))
    assert [(x.code, x.name, x.current) for x in found] == [
        ("en", "English", False),
        ("de", "Deutsch", True),
        ("ar", "العربية", False),
    ]
    # from build/de/site/battlecards/ back up to build/
    assert [x.href for x in found] == [
        "../../../site/battlecards/x.html",
        "../../../de/site/battlecards/x.html",
        "../../../ar/site/battlecards/x.html",
    ]
    assert languages("site/index.html", "en", ("en",)) == ()


def translated_build(tmp: Path, only: str) -> None:
    """The minimal catalog in en, de and ja with a German name and one stale translation
    (its source text changed after it was translated), built `--only` one family."""
    root = make_catalog(tmp, LOCALES)
    assert cli(tmp, "i18n", "extract")[0] == 0
    translate(root, {NAME: NAME_DE, RESPONSE: RESPONSE_DE})
    play = root / "plays" / "backup-modernization.yaml"
    play.write_text(play.read_text().replace("last **restore** took", "last restore took"))
    code, _, err = cli(tmp, "build", "--only", only)
    assert code == 0, err


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """translated_build's portal (HTML only: cheap)."""
    tmp = tmp_path_factory.mktemp("locales")
    translated_build(tmp, "site")
    return tmp


def _text(path: Path) -> str:
    return re.sub(r"\s+", " ", path.read_text(encoding="utf-8"))


def test_each_locale_gets_its_portal_with_current_translations(built: Path) -> None:
    en = _text(built / "build/site/battlecards/backup-modernization.html")
    de = _text(built / "build/de/site/battlecards/backup-modernization.html")
    ja = _text(built / "build/ja/site/battlecards/backup-modernization.html")
    assert NAME_DE in de and NAME_DE not in en and NAME_DE not in ja
    assert "Backup modernization" in en and "Backup modernization" in ja  # ja: no translation
    # the stale translation is never shown: the current source text is
    assert "Wiederherstellung" not in de
    assert RESPONSE_EN.replace("**restore**", "restore") in de
    assert '<html lang="de"' in de and '<html lang="en"' in en


def test_every_switcher_link_leads_to_a_page_of_the_build(built: Path) -> None:
    out = built / "build"
    pages = [p for p in out.rglob("*.html") if "/site/" in p.as_posix() or p.parent == out]
    checked = 0
    for page in pages:
        for href in re.findall(
            r'hreflang="[^"]+" href="([^"]+)"|href="([^"]+)" hreflang', _text(page)
        ):
            target = (page.parent / next(h for h in href if h)).resolve()
            assert target.is_file(), (page, href)
            checked += 1
    assert checked >= 3 * len(pages) - 3


def test_the_report_counts_stale_and_missing_translations(tmp_path: Path) -> None:
    translated_build(tmp_path, "reports")
    page = _text(tmp_path / "build/reports/coverage.html")
    section = page[page.index('id="translations"') :]
    found = re.search(
        r"de — play\b.{0,80}?1 of (\d+) texts translated, 1 stale, (\d+) missing", section
    )
    assert found and int(found[2]) == int(found[1]) - 2
    # where the stale translation is, for the translator
    assert re.search(r"de — play\b.{0,300}?plays/translations/de\.po:\d+", section)
    assert re.search(r"ja — play\b.{0,80}?0 of \d+ texts translated", section)


def test_a_partner_gets_kits_in_the_languages_it_takes(tmp_path: Path) -> None:
    partner = base_text("partners/blue-river.yaml")
    root = make_catalog(
        tmp_path,
        LOCALES
        | {
            "partners/blue-river.yaml": partner + "locale: [de, en]\n",
            "partners/red-rock.yaml": base_text("partners/red-rock.yaml") + "locale: ja\n",
        },
    )
    cat = catalog(root)
    assert cat.kit_locales("blue-river") == ("de", "en")
    assert cat.kit_locales("red-rock") == ("ja",)


def test_a_partners_kits_in_two_languages_unpack_side_by_side(tmp_path: Path) -> None:
    """Both kits unpacked to blue-river/, one language over the other: the German kit's
    folder is blue-river-de/, and its previous kit is read there."""
    import io
    import json
    import zipfile

    from salesplay import kits

    partner = base_text("partners/blue-river.yaml")
    make_catalog(tmp_path, LOCALES | {"partners/blue-river.yaml": partner + "locale: [de, en]\n"})
    code, _, err = cli(tmp_path, "build", "--only", "kits")
    assert code == 0, err

    def tops(rel: str) -> set[str]:
        with zipfile.ZipFile(tmp_path / "build" / rel) as zf:
            return {name.split("/")[0] for name in zf.namelist()}

    assert tops("kits/blue-river.zip") == {"blue-river"}
    assert tops("de/kits/blue-river.zip") == {"blue-river-de"}
    assert kits.folder_of("blue-river", "pt_BR", "en") == "blue-river-pt_BR"
    # the German kit's previous revision is read from its own folder
    manifest = {"revision": "ab" * 20, "as_of": "2026-11-01"}
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as zf:
        zf.writestr("x-de/manifest.json", json.dumps(manifest))
    (tmp_path / "prev").mkdir()
    (tmp_path / "prev/x.zip").write_bytes(data.getvalue())
    found = kits.previous_since(tmp_path / "prev", "x", "cd" * 20, "x.zip", "x-de")
    assert found == f"{'ab' * 20}@2026-11-01"
    # a kit made before the locale was in its folder's name keeps its history
    data = io.BytesIO()
    with zipfile.ZipFile(data, "w") as zf:
        zf.writestr("x/manifest.json", json.dumps(manifest))
    (tmp_path / "prev/x.zip").write_bytes(data.getvalue())
    found = kits.previous_since(tmp_path / "prev", "x", "cd" * 20, "x.zip", "x-de")
    assert found == f"{'ab' * 20}@2026-11-01"


def test_a_partner_locale_the_catalog_is_not_built_in_is_located(tmp_path: Path) -> None:
    partner = base_text("partners/blue-river.yaml")
    make_catalog(tmp_path, LOCALES | {"partners/blue-river.yaml": partner + "locale: fr\n"})
    code, _, err = cli(tmp_path, "check")
    assert code == 1
    line = partner.count("\n") + 1
    assert (
        f"plays/partners/blue-river.yaml:{line}:9: error: partner 'blue-river' takes locale" in err
    )
    assert "add it to `locales` in catalog.yaml (built: en, de, ja)" in err


def test_diagram_boxes_measure_letters_inter_lacks() -> None:
    from salesplay.render.html import _measures

    name, _caption = _measures()
    # Inter has no kana: each is drawn by Noto Sans CJK one em wide, never as a narrow notdef
    assert name("バックアップ移行") >= 8 * 14 * 0.95
    assert name("النسخ الاحتياطي") > name("Backup") * 1.5
    assert name("Backup") < 14 * 6 * 0.8  # Latin is still measured in Inter


def test_mostly_latin_text_on_a_right_to_left_page_keeps_its_direction() -> None:
    from salesplay.labels import Labels
    from salesplay.render.templates import make_env

    rtl = make_env(None, labels=Labels("ar")).filters
    ltr = make_env(None, labels=Labels("de")).filters
    # an untranslated (source) sentence: its full stop must stay at its end
    assert str(rtl["md"]("Ask how long the last **restore** took.")).startswith('<div dir="ltr">')
    assert str(rtl["md_inline"]("Backup modernization")).startswith('<span dir="ltr">')
    # Arabic that opens with a product name stays in the page's direction
    arabic = "Northwind Vault يحمي النسخ الاحتياطية من برامج الفدية"
    assert "dir=" not in str(rtl["md"](arabic))
    assert "dir=" not in str(ltr["md"]("Ask how long the last restore took."))


def test_arabic_text_naming_more_latin_than_arabic_stays_right_to_left() -> None:
    """An Arabic sentence naming a few products has more Latin letters than Arabic ones: it
    was set in a <div dir="ltr"> (its Arabic phrases in reverse order on cards and the
    portal, "خلال 4h" torn apart). Any Arabic letter keeps a text right to left, its Latin
    names and numbers each set apart; a text without one still reads left to right."""
    from salesplay.labels import Labels
    from salesplay.render.templates import make_env

    rtl = make_env(None, labels=Labels("ar")).filters
    summary = "نسخ احتياطي لـ Microsoft 365 وGoogle Workspace وSalesforce عبر Northwind Vault."
    # its names read right as they are: nothing is added
    assert str(rtl["md"](summary)) == f"<p>{summary}</p>"
    # a number and a unit are set apart ("4h", as "+1 555 0199", was torn apart)
    assert str(rtl["md_inline"]("Vault v2.1 يوفّر استعادة 99.9% خلال 4h")) == (
        'Vault v2.1 يوفّر استعادة 99.9% خلال <span dir="ltr">4h</span>'
    )
    # a name or contact line through `bidi`: the same
    assert str(rtl["bidi"]("Blue River IT Solutions — نور")) == (
        '<span dir="ltr">Blue River IT Solutions</span> — نور'
    )
    assert str(rtl["bidi"]("Blue River IT Solutions")) == (
        '<span dir="ltr">Blue River IT Solutions</span>'
    )
    # a left-to-right page keeps a mostly Latin text its own, a mostly Arabic one apart
    ltr = make_env(None, labels=Labels("de")).filters
    assert str(ltr["bidi"]("Blue River IT Solutions — نور")) == "Blue River IT Solutions — نور"
    assert str(ltr["bidi"]("شركة النور Nour")) == '<span dir="rtl">شركة النور Nour</span>'


def test_printed_page_numbers_are_in_the_pages_language() -> None:
    from salesplay.labels import Labels, labels_for
    from salesplay.render.html import page_css

    assert str(page_css(Labels())) == ""  # English: print.css says it
    german = str(page_css(labels_for("de")))
    assert "counter(page)" in german and "counter(pages)" in german
    assert '"Seite "' in german
    # right-to-left pages put the number at the other foot
    assert "@page rtl { @bottom-left" in str(page_css(labels_for("ar")))


def test_a_locale_in_another_case_than_babels_is_one_error_with_its_spelling(
    tmp_path: Path,
) -> None:
    # Babel reads `DE` as German, but the folder, the PO file and a partner's locale go by
    # the code as written: `de/` and `DE/` would be one folder on macOS and Windows
    fix = (
        "a locale is written in Babel's case, the language in lower case and a region in upper"
        " case (did you mean '{}'?), found '{}'"
    )
    make_catalog(tmp_path, {"catalog.yaml": base_text("catalog.yaml") + "locales: [DE]\n"})
    code, _, err = cli(tmp_path, "check")
    assert code == 1
    assert err.splitlines() == [
        "plays/catalog.yaml:18:11: error: 'locales.1': " + fix.format("de", "DE"),
        "1 error, 0 warnings",
    ]
    for written, meant in (("pt_br", "pt_BR"), ("zh_hant", "zh_Hant"), ("En", "en")):
        (tmp_path / "plays" / "catalog.yaml").write_text(
            base_text("catalog.yaml") + f"locales: [{written}]\n"
        )
        code, _, err = cli(tmp_path, "check")
        assert code == 1
        assert err.splitlines()[0].endswith(fix.format(meant, written)), err
    # twice in Babel's case is still one error at the repeat
    (tmp_path / "plays" / "catalog.yaml").write_text(
        base_text("catalog.yaml") + "locales: [de, de]\n"
    )
    code, _, err = cli(tmp_path, "check")
    assert code == 1
    assert err.splitlines() == [
        "plays/catalog.yaml:18:15: error: locale 'de' is listed twice",
        "1 error, 0 warnings",
    ]


@pytest.mark.parametrize(
    ("babels", "written"),
    [
        ("ca_ES_VALENCIA", "ca_ES_Valencia"),
        ("en_US_POSIX", "en_us_posix"),
        ("be_TARASK", "be_Tarask"),
        ("el_POLYTON", "el_Polyton"),
    ],
)
def test_a_locale_with_a_variant_is_spelled_as_babel_lists_it(
    tmp_path: Path, babels: str, written: str
) -> None:
    # Babel's own spelling of a variant is upper case: it was refused ("did you mean
    # 'ca_ES_Valencia'?"), and the spelling suggested was then accepted
    make_catalog(tmp_path, {"catalog.yaml": base_text("catalog.yaml") + f"locales: [{babels}]\n"})
    code, _, err = cli(tmp_path, "check")
    assert (code, err) == (0, "")
    (tmp_path / "plays" / "catalog.yaml").write_text(
        base_text("catalog.yaml") + f"locales: [{written}]\n"
    )
    code, _, err = cli(tmp_path, "check")
    assert code == 1
    assert err.splitlines() == [
        "plays/catalog.yaml:18:11: error: 'locales.1': a locale is written in Babel's case, the"
        f" language in lower case and a region in upper case (did you mean '{babels}'?), found"
        f" '{written}'",
        "1 error, 0 warnings",
    ]


def test_a_partner_locale_in_another_case_suggests_babels_spelling_and_is_no_jargon(
    tmp_path: Path,
) -> None:
    partner = base_text("partners/blue-river.yaml")
    make_catalog(tmp_path, LOCALES | {"partners/blue-river.yaml": partner + "locale: [DE]\n"})
    code, _, err = cli(tmp_path, "check")
    assert code == 1
    line = partner.count("\n") + 1
    assert err.splitlines() == [
        f"plays/partners/blue-river.yaml:{line}:10: error: 'locale.1': a locale is written in"
        " Babel's case, the language in lower case and a region in upper case (did you mean"
        " 'de'?), found 'DE'",
        "1 error, 0 warnings",
    ]


@pytest.mark.parametrize(
    ("written", "column", "message"),
    [
        (
            "[ger]",
            10,
            "'locale.1': an old alias that Babel reads as 'de', whose labels are not looked up"
            " under it (did you mean 'de'?), found 'ger'",
        ),
        (
            "jp",
            9,
            "'locale': not a locale Babel knows (did you mean 'ja'?); e.g. de, ja, pt_BR, found"
            " 'jp'",
        ),
        ("[5]", 10, "'locale.1' should be a string, found the number 5 (quote it to make it text)"),
    ],
)
def test_a_partner_locale_one_or_a_list_is_one_error_in_the_words_of_how_it_is_written(
    tmp_path: Path, written: str, column: int, message: str
) -> None:
    """`locale:` takes one locale or a list: a bad item of a list was also reported as a
    string, at 'locale.function-after[_locale(), str]', pydantic's name for the other way
    of writing it."""
    partner = base_text("partners/blue-river.yaml")
    make_catalog(tmp_path, LOCALES | {"partners/blue-river.yaml": partner + f"locale: {written}\n"})
    code, _, err = cli(tmp_path, "check")
    line = partner.count("\n") + 1
    assert code == 1
    assert err.splitlines() == [
        f"plays/partners/blue-river.yaml:{line}:{column}: error: {message}",
        "1 error, 0 warnings",
    ]


def test_a_partners_kit_in_a_language_it_no_longer_takes_goes_with_salesplay_kit(
    tmp_path: Path,
) -> None:
    """`salesplay kit P` after P took German only made de/kits/P.zip and left the English
    kit a channel manager could still send; a clean build has no such file."""
    from conftest import AS_OF, run_cli

    make_catalog(tmp_path, LOCALES)
    kit = ("kit", "blue-river", "--catalog", "plays", "--as-of", AS_OF)
    assert run_cli(*kit, cwd=tmp_path).code == 0
    assert (tmp_path / "build/kits/blue-river.zip").is_file()
    partner = tmp_path / "plays/partners/blue-river.yaml"
    partner.write_text(partner.read_text("utf-8") + "locale: de\n", "utf-8")
    done = run_cli(*kit, cwd=tmp_path)
    assert done.code == 0, done.stderr
    assert "1 removed" in done.lines[-1], done.lines[-1]
    build = tmp_path / "build"
    kits = sorted(p.relative_to(build).as_posix() for p in build.rglob("blue-river.zip"))
    assert kits == ["de/kits/blue-river.zip"]
    listed = (tmp_path / "build/.salesplay/outputs.json").read_text("utf-8")
    assert '"kits/blue-river.zip"' not in listed and '"de/kits/blue-river.zip"' in listed

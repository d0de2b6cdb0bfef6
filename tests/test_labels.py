"""Built-in labels per locale: the theme's catalogs, a project's overrides, formats, lang/dir."""

from __future__ import annotations

import datetime as dt
import importlib.util
import re
from pathlib import Path
from types import ModuleType

import pytest
from babel.messages.pofile import read_po

from conftest import AS_OF, base_text, make_catalog, resolved, run_cli
from salesplay import kits
from salesplay.edition import make_edition, roadmap_label
from salesplay.faults import BuildFault
from salesplay.labels import Labels, labels_for, placeholder_problem
from salesplay.locales import Language
from salesplay.localize import localized
from salesplay.render import html, portal
from salesplay.render.templates import THEME_DIR, make_env, render, template_dirs
from salesplay.resolve import Catalog, Roadmap
from salesplay.views import Edition

LOCALE_DIR = THEME_DIR / "locale"
SHIPPED = ("de", "fr", "es", "ja", "ar")
ROOT = Path(__file__).resolve().parent.parent

HEADER = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'


@pytest.fixture(scope="module")
def cat(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    found, _ = resolved(tmp_path_factory.mktemp("labels"))
    assert found is not None
    return found


def _edition(cat: Catalog, locale: str, dirs: list[Path] | None = None) -> Edition:
    return make_edition(cat, "rep", labels=labels_for(locale, dirs or [THEME_DIR]))


def _card(cat: Catalog, locale: str) -> str:
    ed = _edition(cat, locale)
    pid = next(p for p, v in ed.plays.items() if v.objections and v.next_steps)
    env = make_env(None, labels=ed.labels)
    return html.battlecard(env, ed, pid, html.Links.for_site(1), medium="web")


def _override(tmp_path: Path, locale: str, entries: str) -> list[Path]:
    """A project template folder whose locale/<locale>.po holds `entries` after a header."""
    folder = tmp_path / "templates"
    (folder / "locale").mkdir(parents=True, exist_ok=True)
    (folder / "locale" / f"{locale}.po").write_text(HEADER + entries, encoding="utf-8")
    return template_dirs(folder)


# --- pages in a locale ---------------------------------------------------------------------


def test_german_battlecard_has_german_headings_and_lang(cat: Catalog) -> None:
    page = _card(cat, "de")
    assert '<html lang="de" dir="ltr">' in page
    # the portal's header too (skip link, navigation)
    german = ("Die 30-Sekunden-Version", "Einwände", "Nächste Schritte", "Zum Inhalt springen")
    for word in (*german, ">Neuigkeiten<", ">Für Marketing<"):
        assert word in page, word
    for english in ("The 30-second version", ">Objections<", "Next steps", "Skip to content"):
        assert english not in page, english


def test_english_battlecard_keeps_its_english_labels(cat: Catalog) -> None:
    page = _card(cat, "en")
    assert '<html lang="en" dir="ltr">' in page
    assert "The 30-second version" in page and ">Objections<" in page
    assert f"As of {AS_OF}" in page  # the source locale keeps ISO dates


def test_arabic_page_is_right_to_left(cat: Catalog) -> None:
    page = _card(cat, "ar")
    assert '<html lang="ar" dir="rtl">' in page
    assert "الاعتراضات" in page


def test_a_label_left_in_english_on_a_right_to_left_page_keeps_its_order(
    cat: Catalog, tmp_path: Path
) -> None:
    """Hebrew ships no labels: its English ones, between left-to-right marks, read "Why
    now?" and "30 seconds" instead of "?Why now" and "seconds 30"."""
    lrm = "\u200e"
    hebrew = labels_for("he")
    assert hebrew.gettext("Objections") == f"{lrm}Objections{lrm}"
    assert hebrew.ngettext("%(n)s play", "%(n)s plays", 2) == f"{lrm}%(n)s plays{lrm}"
    # translated labels, and English pages, are left as they are
    assert labels_for("ar").gettext("Objections") == "الاعتراضات"
    assert labels_for("en").gettext("Objections") == "Objections"
    assert labels_for("de").gettext("Objections") == "Einwände"
    # a translation a project gives is not marked, one it lacks is
    dirs = _override(tmp_path, "he", 'msgid "Objections"\nmsgstr "התנגדויות"\n')
    assert labels_for("he", dirs).gettext("Objections") == "התנגדויות"
    assert labels_for("he", dirs).gettext("Next steps") == f"{lrm}Next steps{lrm}"
    page = _card(cat, "he")
    assert '<html lang="he" dir="rtl">' in page
    assert f"{lrm}Objections{lrm}" in page


def test_percent_and_date_follow_the_locale(cat: Catalog) -> None:
    german, japanese = labels_for("de"), labels_for("ja")
    assert german.percent(0.6) == "60\xa0%" and japanese.percent(0.6) == "60%"
    assert german.date(dt.date(2026, 11, 30)) == "30.11.2026"
    ahead = Roadmap("development", False, 60, "2027-Q2")
    assert "60\xa0% Wahrscheinlichkeit" in (roadmap_label(ahead, german) or "")
    assert "確度 60%" in (roadmap_label(ahead, japanese) or "")
    # the page's footer date, through the `date` filter
    page = _card(cat, "de")
    assert f"Stand: {german.date(dt.date.fromisoformat(AS_OF))}" in page
    env = make_env(None, labels=german)
    assert env.from_string("{{ 0.6 | percent }}").render() == "60\xa0%"


def test_missing_locale_falls_back_to_english_and_along_its_chain(tmp_path: Path) -> None:
    assert labels_for("pt_BR").gettext("Objections") == "Objections"
    assert labels_for("de_CH").gettext("Objections") == "Einwände"
    dirs = _override(tmp_path, "pt", 'msgid "Objections"\nmsgstr "Objeções"\n')
    assert labels_for("pt_BR", dirs).gettext("Objections") == "Objeções"


# --- a project's overrides -----------------------------------------------------------------


def test_project_override_wins_entry_by_entry(tmp_path: Path) -> None:
    dirs = _override(tmp_path, "de", 'msgid "Objections"\nmsgstr "Kundeneinwände"\n')
    labels = labels_for("de", dirs)
    assert labels.gettext("Objections") == "Kundeneinwände"
    assert labels.gettext("Next steps") == "Nächste Schritte"  # still the theme's


def test_fuzzy_and_empty_entries_are_not_used(tmp_path: Path) -> None:
    entries = (
        '#, fuzzy\nmsgid "Objections"\nmsgstr "Einwürfe"\n\n'
        'msgid "Next steps"\nmsgstr ""\n\n'
        '#, fuzzy\nmsgid "Source"\nmsgstr "Quelle?"\n'
    )
    labels = labels_for("it", _override(tmp_path, "it", entries))
    assert labels.gettext("Source") == "Source"
    de = labels_for("de", _override(tmp_path, "de", entries))
    assert de.gettext("Objections") == "Einwände" and de.gettext("Next steps") == "Nächste Schritte"


@pytest.mark.parametrize("charset", ["ISO-8859-1", "ASCII", "CHARSET"])
def test_an_override_whose_header_names_another_charset_is_read_as_utf8(
    tmp_path: Path, charset: str
) -> None:
    """A label file is UTF-8 whatever its header says: a header naming ASCII, Latin-1 or
    xgettext's placeholder CHARSET ended the build in "internal error" (the labels were
    compiled in the header's charset)."""
    folder = tmp_path / "templates"
    (folder / "locale").mkdir(parents=True)
    header = f'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset={charset}\\n"\n\n'
    entry = 'msgid "Objections"\nmsgstr "התנגדויות"\n'
    (folder / "locale/he.po").write_text(header + entry, encoding="utf-8")
    assert labels_for("he", template_dirs(folder)).gettext("Objections") == "התנגדויות"


def test_a_changed_override_is_read_again(tmp_path: Path) -> None:
    dirs = _override(tmp_path, "de", 'msgid "Objections"\nmsgstr "Erste"\n')
    assert labels_for("de", dirs).gettext("Objections") == "Erste"
    _override(tmp_path, "de", 'msgid "Objections"\nmsgstr "Zweite Fassung"\n')
    assert labels_for("de", dirs).gettext("Objections") == "Zweite Fassung"


def test_placeholder_typo_is_located_at_its_entry(tmp_path: Path) -> None:
    entries = (
        'msgid "Objections"\nmsgstr "Einwände"\n\n'
        'msgid "As of %(date)s"\nmsgstr "Stand %(datum)s"\n'
    )
    with pytest.raises(BuildFault) as caught:
        labels_for("de", _override(tmp_path, "de", entries))
    assert caught.value.loc.file.name == "de.po" and caught.value.loc.line == 8
    assert "%(datum)s" in str(caught.value) and "%(date)s" in str(caught.value)


def test_a_repeated_override_entry_is_located_at_the_repeat(tmp_path: Path) -> None:
    # Babel alone keeps the first msgstr: the override's later correction was dropped
    entries = 'msgid "Objections"\nmsgstr "Einwürfe"\n\nmsgid "Objections"\nmsgstr "Einwände"\n'
    with pytest.raises(BuildFault) as caught:
        labels_for("de", _override(tmp_path, "de", entries))
    assert (caught.value.loc.file.name, caught.value.loc.line) == ("de.po", 8)
    assert str(caught.value) == (
        "'Objections' is translated twice (first at line 5): delete the entry that is out of"
        " date (a PO file has one entry per msgctxt and msgid)"
    )
    # the same msgid in two contexts is two entries
    entries = (
        'msgctxt "a"\nmsgid "Objections"\nmsgstr "x"\n\nmsgid "Objections"\nmsgstr "Einwände"\n'
    )
    assert labels_for("de", _override(tmp_path, "de", entries)).gettext("Objections") == "Einwände"


@pytest.mark.parametrize(
    ("msgstr", "said"),
    [
        ("Warum <b>wir", "adds <b>"),  # the rest of the page was bold
        ("Warum wir</p></nav><script>alert(1)</script>", "adds <script>, </nav>, </p>, </script>"),
        ("Warum <br>wir", "adds <br>"),
        ("Warum wir &lt;3", None),  # an entity is text, not a tag
    ],
)
def test_a_label_without_tags_gets_none_in_translation(
    tmp_path: Path, msgstr: str, said: str | None
) -> None:
    """A translation is written into the page as HTML: one that added tags to a label that
    has none ran a script on the portal, or set the rest of a card bold, and `check` said
    nothing (only a label with tags was held to them)."""
    _held_to_its_tags(tmp_path, "Why us", msgstr, said)


def _held_to_its_tags(tmp_path: Path, msgid: str, msgstr: str, said: str | None) -> None:
    """A German override of `msgid` as `msgstr` is read as it is (`said` None), or refused
    at its entry with what `said` names."""
    entries = f'msgid "{msgid}"\nmsgstr "{msgstr}"\n'
    if said is None:
        assert labels_for("de", _override(tmp_path, "de", entries)).gettext(msgid) == msgstr
        return
    with pytest.raises(BuildFault) as caught:
        labels_for("de", _override(tmp_path, "de", entries))
    assert str(caught.value) == (
        f"translation of '{msgid}' {said}: keep each HTML tag of its msgid, and only those,"
        " each closed after it opens"
    )
    assert (caught.value.loc.line, caught.value.loc.col) == (5, 1)


@pytest.mark.parametrize(
    ("msgstr", "said"),
    [
        ('<strong>Für Ihr Team</strong>: nur <strong>nicht für Kunden</strong>.', None),
        ("<strong>Für Ihr Team</strong>: nur <strong>nicht für Kunden.", "lacks </strong>"),
        ("<b>Für Ihr Team</b>: <strong>nicht</strong> <strong>x</strong>.", "adds <b>, </b>"),
        ("<b>Für Ihr Team</b>: nur <strong>nicht für Kunden</strong>.", "lacks <strong>,"
         " </strong> and adds <b>, </b>"),
        # each closed after it opens: the rest of the page went bold
        ("Für Ihr Team</strong> <strong>nur <strong>nicht für Kunden</strong>.",
         "closes </strong> where it is not open"),
        # HTML reads a tag's name in any case
        ("<STRONG>Für Ihr Team</STRONG>: nur <strong>nicht für Kunden</strong>.", None),
    ],
    ids=["kept", "one-dropped", "one-added", "one-swapped", "misplaced", "upper-case"],
)  # fmt: skip
def test_a_label_translation_keeps_its_html_tags(
    tmp_path: Path, msgstr: str, said: str | None
) -> None:
    """A kit index label is HTML ("<strong>For your team</strong> …"): a translation that
    dropped its first "</strong>" set the rest of the page in bold, and `check` said
    nothing. Its tags must be the msgid's, each of them."""
    msgid = "<strong>For your team</strong>: only <strong>not for customers</strong>."
    _held_to_its_tags(tmp_path, msgid, msgstr, said)


@pytest.mark.parametrize(
    ("msgstr", "said"),
    [
        (
            "Stand",
            "has no placeholders, its msgid has the placeholder %(date)s (put back %(date)s)",
        ),
        (
            "Stand %(datum)s",
            "has the placeholder %(datum)s, its msgid has the placeholder %(date)s"
            " (write %(date)s instead of %(datum)s)",
        ),
        (
            "Stand %(date)s, %(x)s %(y)s",
            "has the placeholders %(date)s, %(x)s, %(y)s, its msgid has the placeholder"
            " %(date)s (take out %(x)s, %(y)s)",
        ),
    ],
    ids=["dropped", "renamed", "added"],
)
def test_a_placeholder_mismatch_says_what_each_side_has_and_the_fix(
    tmp_path: Path, msgstr: str, said: str
) -> None:
    entries = f'msgid "As of %(date)s"\nmsgstr "{msgstr}"\n'
    with pytest.raises(BuildFault) as caught:
        labels_for("de", _override(tmp_path, "de", entries))
    assert str(caught.value) == f"translation of 'As of %(date)s' {said}"
    assert (caught.value.loc.line, caught.value.loc.col) == (5, 1)


@pytest.mark.parametrize(
    ("msgid", "msgstr", "bad"),
    [
        ("As of %(date)s", "Stand: %(date)s", False),
        ("As of %(date)s", "Stand", True),
        ("Objections", "Einwände %(x)s", True),
        ("Objections", "100 % sicher", True),
        ("Objections", "100 %% sicher", False),
        # formatting a name with %d would fail at build time: a placeholder of another type
        ("%(name)s — battlecard", "%(name)d — Battlecard", True),
        (("%(num)d play", "%(num)d plays"), ("ein Play", "%(num)d Plays"), False),
        (("%(num)d play", "%(num)d plays"), ("%(n)d Play", "%(num)d Plays"), True),
    ],
)
def test_placeholders_are_checked(
    msgid: str | tuple[str, ...], msgstr: str | tuple[str, ...], bad: bool
) -> None:
    assert (placeholder_problem(msgid, msgstr) is not None) is bad


def test_broken_override_is_one_located_error_in_check(tmp_path: Path) -> None:
    catalog = make_catalog(
        tmp_path, {"catalog.yaml": base_text("catalog.yaml") + "locales: [de]\n"}
    )
    entries = 'msgid "Objections"\nmsgstr "Einwände"\n\nWeiter\n'
    _override(tmp_path, "de", entries)
    result = run_cli(
        "check",
        "--catalog",
        catalog.name,
        "--templates",
        "templates",
        "--as-of",
        AS_OF,
        cwd=tmp_path,
    )
    assert result.code == 1
    errors = [line for line in result.diagnostics if ": error: " in line]
    assert len(errors) == 1, result.stderr
    assert errors[0].startswith("templates/locale/de.po:8:1: error: "), errors[0]
    assert "Traceback" not in result.stderr


def test_check_says_every_faulty_override_entry_in_one_run(tmp_path: Path) -> None:
    """A label file with five slips took five runs of `check` to see them: the first was
    the build's fault, and planning stopped there. Each entry of every label catalog the
    build reads is now judged, and each fault is its line."""
    catalog = make_catalog(
        tmp_path, {"catalog.yaml": base_text("catalog.yaml") + "locales: [de]\n"}
    )
    entries = (
        'msgid "As of %(date)s"\nmsgstr "Stand %(datum)s"\n\n'
        'msgid "Objections"\nmsgstr "Einwände"\n\n'
        'msgid "Presented by %(partner)s"\nmsgstr "Präsentiert von"\n'
    )
    _override(tmp_path, "de", entries)
    result = run_cli(
        "check", "--catalog", catalog.name, "--templates", "templates", "--as-of", AS_OF,
        cwd=tmp_path,
    )  # fmt: skip
    errors = [line.split(": error: ")[0] for line in result.diagnostics if ": error: " in line]
    assert (result.code, errors) == (
        1,
        ["templates/locale/de.po:5:1", "templates/locale/de.po:11:1"],
    ), result.stderr


def test_an_override_with_too_few_plural_forms_is_an_error_not_english(tmp_path: Path) -> None:
    """An Arabic override of a plural label with two forms, where Arabic has six: `check`
    said nothing, and the Arabic card showed the English label ("Last verified 183 days
    ago"), though the theme translates it: gettext found no form for most counts."""
    entries = (
        'msgid "Last verified %(num)d day ago"\nmsgid_plural "Last verified %(num)d days ago"\n'
        'msgstr[0] "x %(num)d"\nmsgstr[1] "y %(num)d"\n'
    )
    with pytest.raises(BuildFault) as caught:
        labels_for("ar", _override(tmp_path, "ar", entries))
    assert caught.value.loc.line == 5
    assert str(caught.value).startswith(
        "translation of 'Last verified %(num)d day ago' has 2 plural forms, 'ar' has 6:"
        " write msgstr[0] to msgstr[5]"
    )


def test_a_doubled_percent_in_a_label_is_one_percent_everywhere(tmp_path: Path) -> None:
    """A label override "Nächste Schritte (100%% sicher)" (the label check asks for `%%`)
    read "100% sicher" on the card, whose `_()` formats it, and "100%% sicher" on the deck,
    which took the label as it was written."""
    dirs = _override(
        tmp_path, "de", 'msgid "Next steps"\nmsgstr "Nächste Schritte (100%% sicher)"\n'
    )
    labels = labels_for("de", dirs)
    assert labels.gettext("Next steps") == "Nächste Schritte (100% sicher)"
    env = make_env(None, labels=labels)
    assert env.from_string('{{ _("Next steps") }}').render() == "Nächste Schritte (100% sicher)"
    # a label with placeholders is formatted by its caller, `%%` and all
    assert labels.gettext("As of %(date)s") % {"date": "x"} == "Stand: x"


def test_an_override_no_page_shows_in_a_fallback_catalog_is_a_warning(tmp_path: Path) -> None:
    """`pt.po` is read for a build in pt_BR (its language's catalog), but the lint of labels
    no page shows looked only at `pt_BR.po`: a misspelt label there went unsaid."""
    make_catalog(tmp_path)
    catalog = tmp_path / "plays" / "catalog.yaml"
    catalog.write_text(catalog.read_text() + "locales: [pt_BR]\n")
    _override(tmp_path, "pt", 'msgid "Wy us?"\nmsgstr "Por que nós?"\n')
    done = run_cli("check", "--templates", "templates", "--as-of", AS_OF, cwd=tmp_path)
    assert done.code == 0, done.stderr
    assert done.lines[0] == (
        "templates/locale/pt.po:5:1: warning: label 'Wy us?' is not one the pages show"
        " (did you mean 'Why us?'?); it is not used"
    ), done.lines


# --- the language switcher -----------------------------------------------------------------


def test_switcher_lists_every_language_with_lang_and_current(cat: Catalog) -> None:
    ed = _edition(cat, "de")
    env = make_env(None, labels=ed.labels)
    langs = (
        Language("en", "en", "English", "../../site/whats-new.html", False),
        Language("de", "de", "Deutsch", "whats-new.html", True),
        Language("ar", "ar", "العربية", "../../ar/site/whats-new.html", False),
    )
    page = portal.whats_new_page(env, ed, None, "v*", languages=langs)
    nav = re.search(r'<nav class="languages" aria-label="Sprache">.*?</nav>', page, re.S)
    assert nav is not None, page
    assert 'hreflang="ar" lang="ar"' in nav.group() and "العربية" in nav.group()
    assert 'hreflang="de" lang="de" aria-current="true">Deutsch<' in nav.group()
    assert nav.group().count("aria-current") == 1
    alone = portal.whats_new_page(env, ed, None, "v*", languages=langs[1:2])
    assert 'class="languages"' not in alone
    assert 'class="languages"' not in portal.whats_new_page(env, ed, None, "v*")


def test_languages_is_a_global_so_a_page_without_it_renders() -> None:
    page = render(make_env(None), "default/portal/layout.html", **_layout())
    assert 'class="languages"' not in page  # StrictUndefined would have raised without it


def _layout() -> dict[str, object]:
    class Links:
        home = competitors = matrix = whats_new = report = fonts = css = header_css = logo = ""
        nav = html.Nav("", "", "", "", "", "")

    company = type("Company", (), {"name": "N"})()
    return {
        "company": company,
        "links": Links(),
        "page": "home",
        "inline_css": None,
        "brand_css": "",
        "as_of": dt.date(2026, 11, 30),
        "edition_label": "Rep edition",
    }


# --- the shipped catalogs ------------------------------------------------------------------


def _tool() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "extract_labels", ROOT / "tools" / "extract_labels.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _ids(path: Path) -> set[str | tuple[str, ...]]:
    with path.open("rb") as f:
        return {m.id if isinstance(m.id, str) else tuple(m.id) for m in read_po(f) if m.id}


def test_shipped_pot_is_current() -> None:
    """A label added to a template or source without running tools/extract_labels.py fails."""
    extracted = {m.id for m in _tool().template() if m.id}
    shipped = _ids(LOCALE_DIR / "messages.pot")
    # (a label no longer used may linger until the next run: it harms no page)
    assert extracted - shipped == set(), "run tools/extract_labels.py"


@pytest.mark.parametrize("locale", SHIPPED)
def test_every_shipped_catalog_translates_every_label(locale: str) -> None:
    with (LOCALE_DIR / f"{locale}.po").open("rb") as f:
        catalog = read_po(f)
    entries = {m.id: m for m in catalog if m.id}
    for msgid in _ids(LOCALE_DIR / "messages.pot"):
        message = entries.get(msgid)
        assert message is not None, f"{locale}: {msgid!r} missing"
        strings = message.string if isinstance(message.string, tuple) else (message.string,)
        assert all(strings) and not message.fuzzy, f"{locale}: {msgid!r} untranslated or fuzzy"
        assert placeholder_problem(msgid, message.string) is None, (locale, msgid)
    assert "Language-Team" in catalog.mime_headers.__repr__() or catalog.language_team
    labels = labels_for(locale)  # loads: no BuildFault
    assert isinstance(labels, Labels) and labels.gettext("Next steps") != "Next steps"


def _kit_context(
    partner_name: str = "Fabrikam & Co", company_name: str = "Northwind"
) -> dict[str, object]:
    """What the kits family hands kit_index.html, for a partner with no play yet."""
    partner = type("Partner", (), {"name": partner_name, "tier": "gold", "tier_name": "Gold"})()
    company = type("Company", (), {"name": company_name})()
    acme = type("Competitor", (), {"name": "Acme", "quick_dismiss": None})()
    edition = type(
        "Ed", (), {"company": company, "as_of": dt.date(2026, 11, 30), "competitors": {"a": acme}}
    )()
    return {
        "partner": partner,
        "edition": edition,
        "files": [],
        "team": "team",
        "customers": "cust",
        "briefs": [],
        "destinations": [],
        "channel": None,
        "competitors": ["a"],
        "plays": [],
        "public": edition,
        "brand_css": "",
    }


def test_english_kit_index_keeps_its_lines_and_german_translates_them() -> None:
    """A label at a line's end keeps the newline after it (a {% trans %} block there would not)."""
    context = _kit_context()
    english = render(make_env(None), "kit_index.html", **context)
    assert "<strong>not for customers</strong>.\n      Battlecards, competitor" in english
    assert "hand to customers.\nNothing yet for this kit.</li>" in english
    assert "the sellers of Fabrikam &amp; Co only" in english  # the name escaped, as before
    # a kit with nothing for the team (its tier sells no play) promises nothing
    empty = render(make_env(None), "kit_index.html", **{**context, "competitors": []})
    assert "Battlecards, competitor" not in empty and "Every page and slide" not in empty
    assert "<strong>not for customers</strong>.\n      Nothing yet for this kit.</li>" in empty
    assert "<p>Nothing yet for this kit.</p>" in empty
    german = render(make_env(None, labels=labels_for("de")), "kit_index.html", **context)
    assert '<html lang="de" dir="ltr">' in german and "Sales Kit für Fabrikam &amp; Co" in german
    assert "Erstellt am 30.11.2026 von Northwind." in german


@pytest.mark.parametrize(
    ("locale", "said"),
    [
        ("de", "<strong>Entpacken Sie zuerst das ganze Kit</strong>"),
        ("ja", "<strong>まずキット全体を展開してください</strong>"),
        ("ar", "<strong>استخرج الحزمة كاملة أولًا</strong>"),
    ],
)
def test_the_kit_index_says_to_extract_the_kit_in_its_language(locale: str, said: str) -> None:
    """The partner who opened the page inside the zip reads why its links fail in the kit's
    language, with the name Windows gives "Extract All" there."""
    env = make_env(None, labels=labels_for(locale))
    page = render(env, "kit_index.html", **_kit_context())
    assert said in page and "Extract the whole kit" not in page


def test_names_and_contacts_keep_their_own_direction_on_an_arabic_kit_index() -> None:
    """On a right-to-left page a Latin name is set apart left to right, so the sentence's
    full stop stays at its end; in an Arabic contact line a phone number reads "+1 555
    0199", never "0199 555 1+". A left-to-right page is as it was."""
    channel = type("Channel", (), {"lines": ("Priya Raman", "+1 555 0199")})()
    context = {**_kit_context("Gulf Tech", "Northwind Systems"), "channel": channel}
    arabic = render(make_env(None, labels=labels_for("ar")), "kit_index.html", **context)
    assert '<span dir="ltr">Priya Raman · +1 555 0199</span>.' in arabic
    assert '<span dir="ltr">Gulf Tech</span>' in arabic
    assert '<span dir="ltr">Northwind Systems</span>' in arabic
    rtl_contact = type("Channel", (), {"lines": ("ليلى حداد", "+1 555 0199")})()
    arabic = render(
        make_env(None, labels=labels_for("ar")),
        "kit_index.html",
        **{**context, "channel": rtl_contact},
    )
    assert 'ليلى حداد · <span dir="ltr">+1 555 0199</span>.' in arabic
    english = render(make_env(None), "kit_index.html", **context)
    assert "Your channel contact at Northwind Systems: Priya Raman · +1 555 0199." in english
    assert "<span dir=" not in english
    # an Arabic name on an English page is set apart right to left
    english = render(make_env(None), "kit_index.html", **_kit_context("الخليج للتقنية"))
    assert 'Sales kit for <span dir="rtl">الخليج للتقنية</span>' in english


def test_a_competitor_s_latin_name_heads_its_arabic_matrix_column_left_to_right(
    cat: Catalog,
) -> None:
    ed = _edition(cat, "ar")
    page = html.matrix(make_env(None, labels=ed.labels), ed, html.Links.for_site(0), medium="web")
    heads = re.findall(r'<th scope="col" class="col-comp"[^>]*>(.*?)</th>', page)
    assert heads and all(h.startswith('<span dir="ltr">') for h in heads), heads
    english = _edition(cat, "en")
    page = html.matrix(make_env(None), english, html.Links.for_site(0), medium="web")
    heads = re.findall(r'<th scope="col" class="col-comp"[^>]*>(.*?)</th>', page)
    assert heads and not any("<span" in h for h in heads), heads


# --- tier names -------------------------------------------------------------------------------

#: minimal's tiers, written as mappings with the names readers see
NAMED_TIERS = base_text("catalog.yaml").replace(
    "tiers: [registered, silver, gold]",
    "tiers:\n  - {id: registered, name: Registered}\n  - {id: silver, name: Silver}\n  - gold\n",
)


def _tier_card(cat: Catalog, locale: str) -> str:
    """The rep card of backup-modernization (a partner play for silver and above)."""
    ed = make_edition(cat, "rep", labels=labels_for(locale))
    env = make_env(None, labels=ed.labels)
    return html.battlecard(env, ed, "backup-modernization", html.Links.for_site(1), medium="web")


def _kit_index(cat: Catalog, partner: str, locale: str) -> str:
    """A partner's kit index page, as the kits family renders it."""
    ed = make_edition(cat, "partner", labels=labels_for(locale))
    env = make_env(None, labels=ed.labels)
    shared = kits.KitShared(cat, ed, cat.root, env, None)
    return kits.kit_index(shared, partner, []).decode()


def test_a_tier_is_shown_by_its_name_else_its_id(tmp_path: Path) -> None:
    cat, ctx = resolved(tmp_path, {"catalog.yaml": NAMED_TIERS})
    assert cat is not None and not ctx.reporter.errors, ctx.reporter.errors
    card = _tier_card(cat, "en")
    assert "Silver and above" in card and "silver and above" not in card
    red_rock = make_edition(cat, "partner").partners["red-rock"]
    assert (red_rock.tier, red_rock.tier_name) == ("silver", "Silver")
    # a tier written as its bare id is shown as written
    index = _kit_index(cat, "blue-river", "en")
    assert "plays your gold partnership may sell" in index
    cat = resolved(
        tmp_path / "more",
        {"catalog.yaml": NAMED_TIERS.replace("  - gold", "  - {id: gold, name: Gold Elite}")},
    )[0]
    assert cat is not None
    assert "plays your Gold Elite partnership may sell" in _kit_index(cat, "blue-river", "en")


def test_a_translated_tier_name_shows_in_the_german_card_and_kit_index(tmp_path: Path) -> None:
    named = NAMED_TIERS.replace("  - gold", "  - {id: gold, name: Gold}") + "locales: [de]\n"
    root = make_catalog(tmp_path, {"catalog.yaml": named})
    assert (
        run_cli("i18n", "extract", "--catalog", "plays", "--as-of", AS_OF, cwd=tmp_path).code == 0
    )
    po = root / "translations" / "de.po"
    text = po.read_text(encoding="utf-8")
    for context, german in (("silver", "Silber"), ("gold", "Gold-Premium")):
        at = text.index(f'msgctxt "catalog:catalog:tiers.{context}.name"')
        end = text.index('msgstr ""', at)
        text = text[:end] + f'msgstr "{german}"' + text[end + len('msgstr ""') :]
    po.write_text(text, encoding="utf-8")
    cat, ctx = resolved(tmp_path / "again", {"catalog.yaml": named, "translations/de.po": text})
    assert cat is not None and not ctx.reporter.diagnostics, ctx.reporter.diagnostics
    german = localized(cat, "de")
    card = _tier_card(german, "de")
    assert "Silber und höher" in card and "Silver" not in card
    assert "die Sie als Gold-Premium-Partner verkaufen dürfen" in _kit_index(
        german, "blue-river", "de"
    )
    # the source locale keeps the source names; the catalog it was made from is unchanged
    assert "Silver and above" in _tier_card(cat, "en")
    assert "plays your Gold partnership may sell" in _kit_index(cat, "blue-river", "en")


def test_an_override_no_page_shows_is_a_warning_with_the_close_one(tmp_path: Path) -> None:
    """An override entry whose msgid is no label of the theme, nor one a project template
    asks for, is kept by Babel and never shown: check --templates warns at it, with the
    built-in label it was likely meant for."""
    make_catalog(tmp_path)
    catalog = tmp_path / "plays" / "catalog.yaml"
    catalog.write_text(catalog.read_text() + "locales: [de]\n")
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "battlecard.html").write_text(
        '{% extends "default/battlecard.html" %}{% block title %}{{ _("Our own label") }}'
        "{% endblock %}"
    )
    # a template no page uses, broken: it asks for no label, and is no fault of `check`'s
    (tmp_path / "templates" / "unused.html").write_text("{% if %}\n")
    _override(
        tmp_path,
        "de",
        'msgid "Wy us?"\nmsgstr "Warum wir?"\n\nmsgid "Objections"\nmsgstr "Einwürfe"\n\n'
        'msgid "Our own label"\nmsgstr "Unser Etikett"\n\n'
        'msgid "%(num)d play"\nmsgstr "%(num)d Spielzug"\n',
    )
    done = run_cli("check", "--templates", "templates", "--as-of", AS_OF, cwd=tmp_path)
    assert done.code == 0, done.stderr
    assert done.lines == [
        "templates/locale/de.po:5:1: warning: label 'Wy us?' is not one the pages show"
        " (did you mean 'Why us?'?); it is not used",
        # a label with a plural form, written as a plain entry: not "did you mean" another
        "templates/locale/de.po:14:1: warning: label '%(num)d play' has a plural form: write"
        ' it with msgid_plural "%(num)d plays" and msgstr[0], msgstr[1], … (one for each'
        " plural form of the language); it is not used",
        "templates/unused.html: warning: 'unused.html' replaces no built-in file and no"
        " template or stylesheet of templates/ uses it: no output does",
        "0 errors, 3 warnings",
    ]


def test_the_partner_program_s_labels_are_translated_on_card_kit_index_and_deck(
    tmp_path: Path,
) -> None:
    """The labels "Margin", "Deal registration", "MDF", "Certification needed" and "Incentive" were
    printed in English on a German card, kit index and partner deck: they are built-in
    labels, translated where they are shown."""
    from salesplay.render import decks

    play = "plays/backup-modernization.yaml"
    program = (
        "partner: {role: Partner runs the proof of concept, min_tier: silver, margin: 20 %,"
        " deal_registration: In the portal, mdf: Per quarter, certification: Backup Associate,"
        " incentives: [Double spiff]}"
    )
    text = base_text(play).replace(
        "partner: {role: Partner runs the proof of concept, min_tier: silver}", program
    )
    assert program in text
    catalog = base_text("catalog.yaml") + "locales: [de]\n"
    cat, ctx = resolved(tmp_path, {"catalog.yaml": catalog, play: text})
    assert cat is not None and not ctx.reporter.errors, ctx.reporter.errors
    german = localized(cat, "de")
    labels = ("Marge", "Deal-Registrierung", "MDF (Marketingmittel)", "Erforderliche")
    english = ("Margin", "Deal registration", "Certification needed", "Incentive")
    card = _tier_card(german, "de")
    index = _kit_index(german, "blue-river", "de")
    partner = make_edition(german, "partner", labels=labels_for("de"))
    slides = repr(decks.partner_enablement_slides(partner, "backup-modernization"))
    for page in (card, index, slides):
        assert all(label in page for label in labels) and "Anreiz" in page, page[:200]
        assert not any(label in page for label in english)
    assert "Margin" in _tier_card(cat, "en") and "Incentive" in _kit_index(cat, "blue-river", "en")


def test_a_list_on_an_arabic_or_japanese_card_is_joined_with_its_own_comma() -> None:
    """An Arabic card read "المؤسسات الكبيرة, الرعاية الصحية", with a Latin comma; the
    template's `list_separator` is the locale's."""
    from salesplay.labels import labels_for
    from salesplay.render.templates import make_env, template_dirs

    joined = {}
    for locale in ("en", "ar", "ja", "de"):
        env = make_env(None, labels=labels_for(locale, template_dirs(None)))
        joined[locale] = env.from_string("{{ ['a', 'b'] | join(list_separator) }}").render()
    assert joined == {"en": "a, b", "ar": "a\u060c b", "ja": "a\u3001b", "de": "a, b"}


@pytest.mark.parametrize(
    ("locale", "opening", "closing"),
    [
        ("en", "“", "”"),
        ("de", "„", "“"),
        ("de_CH", "„", "“"),  # along the locale's chain
        ("fr", "«\u00a0", "\u00a0»"),
        ("es", "«", "»"),
        ("ja", "「", "」"),
        ("ar", "«", "»"),
    ],
)
def test_quotations_take_their_languages_marks(locale: str, opening: str, closing: str) -> None:
    """An objection on a card and a customer's result on a Proof slide were in English
    marks, “…”, in every language."""
    from types import SimpleNamespace

    from salesplay.labels import quoted
    from salesplay.render.decks import proof_quote

    labels = labels_for(locale)
    text = "Too dear & %(x)s %%"  # put in as it is: no placeholder of its own is read
    assert quoted(text, labels.gettext) == f"{opening}{text}{closing}"
    proof = SimpleNamespace(result="**40 %** fewer *tickets*")
    said = proof_quote(proof, labels.gettext)  # type: ignore[arg-type]
    assert said == f"{opening}40 % fewer tickets{closing}"
    # the cards' filter: the marks around the Markdown, which is then rendered and escaped
    env = make_env(None, labels=labels)
    page = env.from_string("{{ o | quoted | md_inline }}").render(o="Too *dear* & <b>")
    # (on a right-to-left page, set apart in its own direction: richtext.direction_on)
    assert f"{opening}Too <em>dear</em> &amp; &lt;b&gt;{closing}" in page

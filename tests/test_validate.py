"""Stage 2, validate: schema errors, ids and assets, each pinned to its exact line."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from conftest import (
    AS_OF,
    MINIMAL,
    Edits,
    Result,
    base_text,
    check,
    make_catalog,
    replace_in,
    run_cli,
)
from salesplay.diagnostics import Location, Reporter
from salesplay.validate import MAX_ASSET_BYTES, check_asset, describe, is_image

PLAY = "plays/recovery-drills.yaml"
SHOWN = "plays/plays/recovery-drills.yaml"
PARTNER = "partners/blue-river.yaml"
LOGO = "assets/partners/blue-river.svg"
#: a real 1×1 PNG: check decodes every image, so a bare signature is not enough.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010802000000907753de"
    "0000000c49444154789c63e08eff0f0001e2016a3866f9af0000000049454e44ae426082"
)


# --- wrong type -------------------------------------------------------------------------------


QUOTE = "(quote it to make it text)"
BRACKETS = "quote it if the brackets are text)"


@pytest.mark.parametrize(
    ("value", "found", "hint"),
    [
        ("[a, b]", "a list", f"(it takes one value, not a list; {BRACKETS}"),
        # one value in brackets: quoting it would keep the brackets
        (
            "[Drills]",
            "a list",
            f"(it takes one value: write name: Drills, without brackets; {BRACKETS}",
        ),
        ("42", "the number 42", QUOTE),
        ("true", "'true'", QUOTE),
        ("0x1F", "the number 31", QUOTE),
        ("{a: b}", "a mapping", QUOTE),
    ],
)
def test_wrong_type_for_a_string(tmp_path: Path, value: str, found: str, hint: str) -> None:
    result = check(tmp_path, replace_in(PLAY, "name: Recovery drills", f"name: {value}"))
    assert result.code == 1
    assert f"{SHOWN}:1:7: error: 'name' should be a string, found {found} {hint}" in result.lines


def test_empty_value_is_nothing(tmp_path: Path) -> None:
    result = check(tmp_path, replace_in(PLAY, "name: Recovery drills", "name:"))
    assert (
        f"{SHOWN}:1:6: error: 'name' should be a string, found nothing: write its value after"
        " the colon" in result.lines
    )


def test_wrong_type_for_a_list(tmp_path: Path) -> None:
    result = check(tmp_path, replace_in(PLAY, "why_us: [anomaly-alerts]", "why_us: anomaly-alerts"))
    assert (
        f"{SHOWN}:6:9: error: 'why_us' should be a list, found 'anomaly-alerts':"
        " write [anomaly-alerts], or one '- ' line per item under the field" in result.lines
    )


def test_wrong_type_for_a_mapping(tmp_path: Path) -> None:
    result = check(
        tmp_path,
        replace_in("catalog.yaml", "brand:\n  primary:", "brand: blue\nunused:\n  primary:"),
    )
    assert (
        "plays/catalog.yaml:6:8: error: 'brand' should be a mapping, found 'blue'"
        " (fields: primary, accent)" in result.lines
    )


def test_wrong_type_nested_in_a_list_item(tmp_path: Path) -> None:
    result = check(
        tmp_path, replace_in("products/vault.yaml", "name: Immutable snapshots", "name: 7")
    )
    assert (
        "plays/products/vault.yaml:4:37: error: 'capabilities.1.name' should be a string,"
        " found the number 7 (quote it to make it text)" in result.lines
    )


def test_an_audience_on_a_text_item_is_not_told_to_be_quoted(tmp_path: Path) -> None:
    """Quoting it, as the hint said, would put the question and "audience: internal" into
    every edition of the play, partner kits included."""
    question = "  - Who signs off that a restore worked?"
    result = check(
        tmp_path,
        replace_in(PLAY, question, f"{question}\n  - {{text: Secret, audience: internal}}"),
    )
    assert result.code == 1
    assert result.diagnostics == [
        f"{SHOWN}:9:5: error: 'discovery.2' should be a string, found a mapping: a text item"
        " cannot carry 'audience:' (an objection, a talk track or a proof can); move it out"
        " of this list, or narrow the audience of what holds it"
    ]


def test_wrong_whole_number(tmp_path: Path) -> None:
    result = check(tmp_path, replace_in("catalog.yaml", "max_age_days: 90", 'max_age_days: "90"'))
    assert (
        "plays/catalog.yaml:11:17: error: 'review.max_age_days' should be a whole number,"
        " found '90'" in result.lines
    )


def test_a_hex_number_too_long_to_write_in_decimal_is_one_located_error(tmp_path: Path) -> None:
    # Python writes no int past 4,300 decimal digits: the parse cache's JSON was an
    # "internal error: ValueError: Exceeds the limit (4300 digits)…", in check and build
    long = "0x" + "f" * 3600
    result = check(
        tmp_path, replace_in("catalog.yaml", "max_age_days: 90", f"max_age_days: {long}")
    )
    assert result.code == 1
    [line] = [ln for ln in result.lines if ": error: " in ln]
    assert line.startswith(
        "plays/catalog.yaml:11:17: error: 'review.max_age_days' should be a whole number, found"
    )
    assert "internal error" not in result.stderr


@pytest.mark.parametrize("age", ["3000000", "99999999999999999999"])
def test_a_review_age_past_what_a_date_holds_is_one_located_error(tmp_path: Path, age: str) -> None:
    # with a review dated after --as-of, the age overflowed a date: "internal error:
    # OverflowError: date value out of range"
    edits = {
        **replace_in("catalog.yaml", "max_age_days: 90", f"max_age_days: {age}"),
        **replace_in("competitors/acme.yaml", "reviewed: 2026-10-01", "reviewed: 2026-12-20"),
    }
    result = check(tmp_path, edits)
    assert result.code == 1
    assert (
        "plays/catalog.yaml:11:17: error: 'review.max_age_days': input should be less than or"
        f" equal to 36500, found the number {age}" in result.lines
    )
    assert "internal error" not in result.stderr


def test_value_below_minimum(tmp_path: Path) -> None:
    result = check(tmp_path, replace_in("catalog.yaml", "max_age_days: 90", "max_age_days: 0"))
    assert (
        "plays/catalog.yaml:11:17: error: 'review.max_age_days': input should be greater than or"
        " equal to 1, found the number 0" in result.lines
    )


def test_choice_with_did_you_mean(tmp_path: Path) -> None:
    result = check(tmp_path, replace_in("competitors/acme.yaml", "type: vendor", "type: vendr"))
    assert (
        "plays/competitors/acme.yaml:2:7: error: 'type' must be one of 'vendor', 'status-quo'"
        " or 'diy', found 'vendr' (did you mean 'vendor'?)" in result.lines
    )


def test_capability_status_in_flow_mapping(tmp_path: Path) -> None:
    result = check(tmp_path, replace_in("products/vault.yaml", "status: ga}", "status: GA}"))
    assert (
        "plays/products/vault.yaml:4:66: error: 'capabilities.1.status' must be one of 'ga',"
        " 'beta', 'launch-ready', 'development' or 'concept', found 'GA' (did you mean 'ga'?)"
        in result.lines
    )


def test_audience_typo(tmp_path: Path) -> None:
    play = "plays/backup-modernization.yaml"
    result = check(tmp_path, replace_in(play, "audience: partner", "audience: partners"))
    assert (
        f"plays/{play}:3:11: error: 'audience' must be one of 'internal', 'rep', 'partner' or"
        " 'public', found 'partners' (did you mean 'partner'?)" in result.lines
    )


@pytest.mark.parametrize(
    ("written", "meant"),
    [
        ("blue", ' (did you mean "#0000FF"?)'),
        ('"0B5FFF"', ' (did you mean "#0B5FFF"?)'),
        ('"#F90"', ' (did you mean "#FF9900"?)'),
        ('"#0B5FFF80"', ' (did you mean "#0B5FFF"?)'),
        ('"rgb(11, 95, 255)"', ' (did you mean "#0B5FFF"?)'),
        ('"#0B5FF"', ""),
        ("bluish", ""),
    ],
)
def test_malformed_colour(tmp_path: Path, written: str, meant: str) -> None:
    result = check(
        tmp_path, replace_in("catalog.yaml", 'primary: "#0B5FFF"', f"primary: {written}")
    )
    assert result.diagnostics == [
        f"plays/catalog.yaml:7:12: error: 'brand.primary' is not a colour, found"
        f" '{written.strip(chr(34))}': a colour is written \"#RRGGBB\" in quotes, six hexadecimal"
        f" digits{meant}"
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2026-13-45", "'reviewed': '2026-13-45' is not a real date: there is no month 13"),
        ("2026-02-29", "'reviewed': '2026-02-29' is not a real date: February 2026 has 28 days"),
        ("2026-04-00", "'reviewed': '2026-04-00' is not a real date: days start at 01"),
        (
            "20261001",
            "'reviewed': expected a date YYYY-MM-DD, found the number 20261001"
            " (did you mean '2026-10-01'?)",
        ),
        ("1st October", "'reviewed': expected a date YYYY-MM-DD, found '1st October'"),
        # day and month in an order that only one reading allows
        (
            "25/12/2026",
            "'reviewed': expected a date YYYY-MM-DD, found '25/12/2026'"
            " (did you mean '2026-12-25'?)",
        ),
        (
            "12/25/2026",
            "'reviewed': expected a date YYYY-MM-DD, found '12/25/2026'"
            " (did you mean '2026-12-25'?)",
        ),
        # both readings are dates: no guess, both spelled out
        (
            "12/01/2026",
            "'reviewed': expected a date YYYY-MM-DD, found '12/01/2026': write 2026-01-12 for"
            " 12 January or 2026-12-01 for 1 December",
        ),
        (
            "2026-1-5",
            "'reviewed': expected a date YYYY-MM-DD, found '2026-1-5' (did you mean '2026-01-05'?)",
        ),
        (
            "1 Dec 2026",
            "'reviewed': expected a date YYYY-MM-DD, found '1 Dec 2026'"
            " (did you mean '2026-12-01'?)",
        ),
        ("99/99/2026", "'reviewed': expected a date YYYY-MM-DD, found '99/99/2026'"),
        # the last day of the last year, and a day after it
        ("9999-12-31", None),
        ("9999-12-32", "'reviewed': '9999-12-32' is not a real date: December 9999 has 31 days"),
        (
            "0000-01-01",
            "'reviewed': '0000-01-01' is not a real date: there is no year 0 (years run from"
            " 0001 to 9999)",
        ),
        ("2026-12-32", "'reviewed': '2026-12-32' is not a real date: December 2026 has 31 days"),
        # digits other than 0-9 (full-width, Arabic-Indic) are not a date as written
        (
            "２０２６-01-01",
            "'reviewed': expected a date YYYY-MM-DD in the digits 0-9, found '２０２６-01-01'"
            " (did you mean '2026-01-01'?)",
        ),
        (
            "'٢٠٢٦-٠٢-٢٨'",
            "'reviewed': expected a date YYYY-MM-DD in the digits 0-9, found '٢٠٢٦-٠٢-٢٨'"
            " (did you mean '2026-02-28'?)",
        ),
        (
            "２０２６-02-30",
            "'reviewed': expected a date YYYY-MM-DD in the digits 0-9, found '２０２６-02-30'",
        ),
    ],
)
def test_bad_dates(tmp_path: Path, value: str, message: str | None) -> None:
    result = check(
        tmp_path, replace_in("competitors/acme.yaml", "reviewed: 2026-10-01", f"reviewed: {value}")
    )
    if message is None:
        assert not [line for line in result.lines if "acme.yaml:8:" in line], result.lines
    else:
        assert f"plays/competitors/acme.yaml:8:11: error: {message}" in result.lines


def test_quoted_date_is_accepted(tmp_path: Path) -> None:
    result = check(
        tmp_path,
        replace_in("competitors/acme.yaml", "reviewed: 2026-10-01", 'reviewed: "2026-10-01"'),
    )
    assert (result.code, result.stderr) == (0, "")


def test_date_time_message_says_found_once(tmp_path: Path) -> None:
    result = check(
        tmp_path,
        replace_in(
            "competitors/acme.yaml", "reviewed: 2026-10-01", "reviewed: 2026-10-01T10:00:00"
        ),
    )
    (line,) = [x for x in result.lines if x.startswith("plays/competitors/acme.yaml:8:11: error:")]
    assert line.count("found") == 1
    assert "the date 2026-10-01T10:00:00" not in line


# --- unknown and missing fields ------------------------------------------------------------------


def test_unknown_field_with_did_you_mean(tmp_path: Path) -> None:
    result = check(tmp_path, replace_in(PLAY, "why_now:", "why_noww:"))
    assert result.code == 1
    assert f"{SHOWN}:5:1: error: unknown field 'why_noww' (did you mean 'why_now'?)" in result.lines


def test_unknown_field_without_a_close_match(tmp_path: Path) -> None:
    result = check(
        tmp_path, replace_in(PLAY, "name: Recovery drills\n", "name: Recovery drills\nxyzzy: 1\n")
    )
    assert result.diagnostics[-1] == f"{SHOWN}:2:1: error: unknown field 'xyzzy'"


def test_unknown_field_in_a_nested_flow_mapping(tmp_path: Path) -> None:
    play = "plays/backup-modernization.yaml"
    result = check(tmp_path, replace_in(play, "economic_buyer: CIO", "economic_buyr: CIO"))
    assert (
        f"plays/{play}:5:70: error: unknown field 'economic_buyr' (did you mean 'economic_buyer'?)"
        in result.lines
    )


def test_unknown_field_in_a_list_item(tmp_path: Path) -> None:
    play = "plays/backup-modernization.yaml"
    result = check(tmp_path, replace_in(play, "response:", "respons:"))
    # one line: the missing `response` is the same slip, fixed by the did-you-mean
    assert result.diagnostics == [
        f"plays/{play}:13:45: error: unknown field 'respons' (did you mean 'response'?)"
    ]


def test_a_required_key_in_the_wrong_case_is_one_line(tmp_path: Path) -> None:
    rel = "partners/red-rock.yaml"
    result = check(tmp_path, replace_in(rel, "name: ", "Name: "))
    assert result.code == 1
    assert result.diagnostics == [
        f"plays/{rel}:1:1: error: unknown field 'Name' (did you mean 'name'?)"
    ]


def test_a_missing_field_another_unknown_field_does_not_mean_is_still_reported(
    tmp_path: Path,
) -> None:
    rel = "partners/red-rock.yaml"
    result = check(tmp_path, replace_in(rel, "name: ", "title: "))
    assert result.diagnostics == [
        f"plays/{rel}:1:1: error: missing required field 'name'",
        f"plays/{rel}:1:1: error: unknown field 'title' (did you mean 'tier'?)",
    ]


def test_unknown_field_uses_the_alias(tmp_path: Path) -> None:
    result = check(tmp_path, replace_in("catalog.yaml", "launch-ready: 95", "launch_ready: 95"))
    assert (
        "plays/catalog.yaml:13:3: error: unknown field 'launch_ready'"
        " (did you mean 'launch-ready'?)" in result.lines
    )


@pytest.mark.parametrize(
    ("rel", "line", "field"),
    [
        (PLAY, "why_now: Auditors now ask for recovery evidence.\n", "why_now"),
        (PLAY, "discovery:\n  - Who signs off that a restore worked?\n", "discovery"),
        ("competitors/acme.yaml", "reviewed: 2026-10-01\n", "reviewed"),
        ("differentiators/anomaly-alerts.yaml", "reviewed: 2026-11-01\n", "reviewed"),
        (
            "destinations/cyber-resilience.yaml",
            "promise: Recover any workload within an hour of a ransomware attack.\n",
            "promise",
        ),
        ("partners/red-rock.yaml", "tier: silver\n", "tier"),
        ("catalog.yaml", "tiers: [registered, silver, gold]\n", "tiers"),
    ],
)
def test_missing_required_field(tmp_path: Path, rel: str, line: str, field: str) -> None:
    result = check(tmp_path, replace_in(rel, line, ""))
    assert result.code == 1
    assert f"plays/{rel}:1:1: error: missing required field '{field}'" in result.lines


def test_missing_nested_required_field(tmp_path: Path) -> None:
    result = check(tmp_path, replace_in("catalog.yaml", "  name: Northwind Systems\n", ""))
    assert "plays/catalog.yaml:2:3: error: missing required field 'name'" in result.lines


def test_list_needing_at_least_one_item(tmp_path: Path) -> None:
    result = check(tmp_path, replace_in(PLAY, "why_us: [anomaly-alerts]", "why_us: []"))
    assert f"{SHOWN}:6:9: error: 'why_us' needs at least 1 item(s)" in result.lines


def test_differentiator_backed_by_nothing(tmp_path: Path) -> None:
    rel = "differentiators/anomaly-alerts.yaml"
    result = check(
        tmp_path, replace_in(rel, "backed_by: [vault/anomaly-detection]", "backed_by: []")
    )
    assert f"plays/{rel}:3:12: error: 'backed_by' needs at least 1 item(s)" in result.lines


# --- ids ---------------------------------------------------------------------------------------


def test_id_key_must_match_the_file_stem(tmp_path: Path) -> None:
    result = check(tmp_path, {PLAY: "id: recovery-drill\n" + base_text(PLAY)})
    assert result.code == 1
    assert (
        f"{SHOWN}:1:5: error: id 'recovery-drill' does not match the file name"
        " 'recovery-drills.yaml'" in result.lines
    )


def test_a_mismatched_id_key_is_the_one_error_and_references_by_file_name_stand(
    tmp_path: Path,
) -> None:
    # acme is named by a play's competitors and a differentiator's versus
    rel = "competitors/acme.yaml"
    result = check(tmp_path, {rel: "id: acme-backup\n" + base_text(rel)})
    assert result.code == 1
    assert result.diagnostics == [
        f"plays/{rel}:1:5: error: id 'acme-backup' does not match the file name 'acme.yaml'"
    ]


def test_matching_id_key_is_fine(tmp_path: Path) -> None:
    result = check(tmp_path, {PLAY: "id: recovery-drills\n" + base_text(PLAY)})
    assert (result.code, result.stderr) == (0, "")


def test_file_stem_not_kebab_case(tmp_path: Path) -> None:
    result = check(
        tmp_path,
        {
            "partners/Red_Rock.yaml": base_text("partners/red-rock.yaml"),
            "partners/red-rock.yaml": None,
        },
    )
    assert result.code == 1
    assert result.diagnostics == [
        "plays/partners/Red_Rock.yaml:1:1: error: bad id 'Red_Rock': file names are lower-case"
        " kebab-case ids (rename to 'red-rock.yaml')"
    ]


@pytest.mark.parametrize("name", ["Recovery-Drills", "recovery_drills", "Recovery Drills"])
def test_a_misnamed_file_is_its_rename_error_not_unknown_at_each_reference(
    tmp_path: Path, name: str
) -> None:
    """The path's step names the play by the id the rename gives it: it was also told
    "unknown play 'recovery-drills'", and "is on no path" of nothing."""
    result = check(tmp_path, {f"plays/{name}.yaml": base_text(PLAY), PLAY: None})
    assert result.diagnostics == [
        f"plays/plays/{name}.yaml:1:1: error: bad id '{name}': file names are lower-case"
        " kebab-case ids (rename to 'recovery-drills.yaml')"
    ]


def test_a_file_name_with_accents_is_told_its_id_without_them(tmp_path: Path) -> None:
    """ "müller-søn" was told to become "m-ller-s-n"; the letters stay, their accents go."""
    result = check(
        tmp_path,
        {
            "partners/müller-søn.yaml": base_text("partners/red-rock.yaml"),
            "partners/red-rock.yaml": None,
        },
    )
    assert result.code == 1
    assert result.diagnostics == [
        "plays/partners/müller-søn.yaml:1:1: error: bad id 'müller-søn': file names are"
        " lower-case kebab-case ids (rename to 'muller-son.yaml')"
    ]


def test_an_id_too_long_to_name_a_file_is_an_error_before_anything_is_written(
    tmp_path: Path,
) -> None:
    """`check` took a 245-character play id, and `build` wrote some outputs, then stopped
    on "File name too long" at `<id>-enablement.pptx`; a tier's id names
    `feed/partner-<tier>.json`."""
    long = "backup-" + "x" * 60  # 67 characters
    result = check(tmp_path / "play", {f"plays/{long}.yaml": base_text(PLAY)})
    assert result.code == 1
    assert (
        f"plays/plays/{long}.yaml:1:1: error: the file name's id '{long[:37]}…' is 67"
        " characters long; an id is at most 64: it names files (a kit's"
        " `<play>-enablement.pptx`), and a file name has at most 255 bytes"
    ) in result.lines
    tiers = replace_in(
        "catalog.yaml", "[registered, silver, gold]", f"[registered, silver, {long}]"
    )
    result = check(tmp_path / "tier", tiers)
    assert result.code == 1
    assert any(
        line.startswith("plays/catalog.yaml:9:") and f"error: id '{long[:37]}…' is 67" in line
        for line in result.lines
    ), result.lines
    at_most = "backup-" + "x" * 57  # 64 characters: fine
    assert check(tmp_path / "fine", {f"plays/{at_most}.yaml": base_text(PLAY)}).code == 0


@pytest.mark.parametrize("kind", ["partners", "plays"])
@pytest.mark.parametrize("name", ["con", "nul", "com1", "lpt9"])
def test_an_id_windows_keeps_for_a_device_is_an_error(tmp_path: Path, kind: str, name: str) -> None:
    """A partner on Windows cannot create `con.pdf` or a folder `aux/`: kits named by such
    ids could not be unpacked."""
    source = {"partners": "partners/red-rock.yaml", "plays": PLAY}[kind]
    result = check(tmp_path, {f"{kind}/{name}.yaml": base_text(source)})
    assert result.code == 1
    said = f"plays/{kind}/{name}.yaml:1:1: error: id '{name}' is a name Windows keeps"
    assert [line for line in result.lines if line.startswith(said)], result.lines


@pytest.mark.parametrize(("length", "code"), [(59, 0), (60, 1), (64, 1)])
def test_a_kit_file_windows_cannot_open_unpacked_is_an_error_at_the_partner(
    tmp_path: Path, length: int, code: int
) -> None:
    """Explorer's "Extract all" unpacks `<partner>.zip` into
    C:\\Users\\<name>\\Downloads\\<partner>\\, and the kit's folder is the partner's id
    again: with a partner and a play of 64 characters an enablement deck's path was 270
    characters, and Windows opens none past 259 (a user name has at most 20)."""
    partner = "blue-river-" + "x" * (length - 11)
    play = "backup-" + "x" * 56  # 63 characters, in the gold kit
    edits = {
        f"partners/{partner}.yaml": base_text("partners/blue-river.yaml"),
        f"plays/{play}.yaml": base_text("plays/backup-modernization.yaml"),
    }
    result = check(tmp_path, edits)
    assert result.code == code, result.lines
    deck = f"{partner}/for-your-team/decks/{play}-enablement.pptx"
    size = len("C:/Users//Downloads//") + 20 + length + len(deck)
    said = [
        line
        for line in result.lines
        if line.startswith(f"plays/partners/{partner}.yaml:1:1: error: partner '{partner}'")
    ]
    if not code:
        assert not said, said
        assert size == 259
        return
    assert said == [
        f"plays/partners/{partner}.yaml:1:1: error: partner '{partner}': its kit's file"
        f" '{deck}' unpacks on Windows to a path of {size} characters"
        f' (C:\\Users\\<name>\\Downloads\\{partner}\\…, where "Extract all" puts it, for a'
        " user name of 20 characters), past the 259 Windows opens; shorten the partner's id"
        f" (its file name) or the id of play '{play}'"
    ], result.lines


def test_capability_id_not_kebab_case(tmp_path: Path) -> None:
    result = check(
        tmp_path,
        replace_in("products/vault.yaml", "id: anomaly-detection", "id: Anomaly_Detection"),
    )
    assert (
        "plays/products/vault.yaml:5:10: error: bad id 'Anomaly_Detection': ids are lower-case"
        " kebab-case (did you mean 'anomaly-detection'?)" in result.lines
    )


def test_a_declared_id_in_capitals_is_one_error_with_its_fix(tmp_path: Path) -> None:
    """It was two errors at one place (a bad id, and an id unlike the file name), neither
    saying what to write."""
    result = check(tmp_path, {PLAY: "id: Recovery-Drills\n" + base_text(PLAY)})
    assert result.diagnostics == [
        f"{SHOWN}:1:5: error: bad id 'Recovery-Drills': ids are lower-case kebab-case"
        " (did you mean 'recovery-drills'?)"
    ]


@pytest.mark.parametrize(
    ("field", "old", "new", "meant"),
    [
        ("products/vault.yaml", "status: ga", "status: GA", "ga"),
        ("plays/backup-modernization.yaml", "audience: partner", "audience: PARTNER", "partner"),
        (PLAY, "why_us: [anomaly-alerts]", "why_us: [ANOMALY-ALERTS]", "anomaly-alerts"),
        (PARTNER, "tier: gold", "tier: Gold", "gold"),
    ],
)
def test_a_value_in_another_case_is_offered_as_written(
    tmp_path: Path, field: str, old: str, new: str, meant: str
) -> None:
    result = check(tmp_path, replace_in(field, old, new))
    (line,) = result.diagnostics
    assert line.endswith(f"(did you mean '{meant}'?)") or f"(did you mean '{meant}'?);" in line


def test_an_asset_folder_in_another_case_is_offered_as_written(tmp_path: Path) -> None:
    result = check(
        tmp_path,
        replace_in("catalog.yaml", "logo: assets/northwind.svg", "logo: Assets/northwind.svg"),
    )
    assert result.diagnostics == [
        "plays/catalog.yaml:5:9: error: asset 'Assets/northwind.svg' must start with 'assets/'"
        " (did you mean 'assets/northwind.svg'?)"
    ]


def test_tier_names_are_ids(tmp_path: Path) -> None:
    result = check(
        tmp_path,
        replace_in(
            "catalog.yaml", "tiers: [registered, silver, gold]", "tiers: [registered, Silver]"
        ),
    )
    assert (
        "plays/catalog.yaml:9:21: error: bad id 'Silver': ids are lower-case kebab-case"
        " (did you mean 'silver'?)" in result.lines
    )


#: minimal's tiers, one a line, with room for a fourth on line 13
TIERS = "tiers:\n  - registered\n  - {id: silver, name: Silver}\n  - gold\n"


@pytest.mark.parametrize(
    ("fourth", "error"),
    [
        ("{name: Platinum}", "13:5: error: missing required field 'id'"),
        (
            "{id: platinum, nme: Platinum}",
            "13:20: error: unknown field 'nme' (did you mean 'name'?)",
        ),
        (
            "{id: platinum, name: 3}",
            "13:26: error: 'tiers.4.name' should be a string, found the number 3"
            " (quote it to make it text)",
        ),
        (
            "{id: platinum, name: [Platinum]}",
            "13:26: error: 'tiers.4.name' should be a string, found a list (it takes one"
            f" value: write name: Platinum, without brackets; {BRACKETS}",
        ),
        ("{id: silver, name: Silber}", "13:10: error: tier 'silver' is listed twice"),
        (
            "{id: Platinum}",
            "13:10: error: bad id 'Platinum': ids are lower-case kebab-case"
            " (did you mean 'platinum'?)",
        ),
    ],
)
def test_a_tier_written_as_a_mapping_is_checked_one_error_each(
    tmp_path: Path, fourth: str, error: str
) -> None:
    tiers = f"{TIERS}  - {fourth}\n"
    result = check(
        tmp_path, replace_in("catalog.yaml", "tiers: [registered, silver, gold]\n", tiers)
    )
    assert result.code == 1
    assert result.diagnostics == [f"plays/catalog.yaml:{error}"]


def test_a_tier_with_a_name_checks_clean_and_its_name_is_no_id(tmp_path: Path) -> None:
    tiers = TIERS.replace("  - gold", "  - {id: gold, name: Premier Gold}")
    edits = replace_in("catalog.yaml", "tiers: [registered, silver, gold]\n", tiers)
    assert check(tmp_path, edits).lines == []
    # a tier's name where its id belongs names the id meant
    edits |= replace_in(PARTNER, "tier: gold", "tier: Premier Gold")
    result = check(tmp_path / "by-name", edits)
    assert result.diagnostics == [
        "plays/partners/blue-river.yaml:2:7: error: unknown tier 'Premier Gold' (did you mean"
        " 'gold'?); tiers are registered, silver, gold"
    ]


def test_duplicate_id_yaml_and_yml(tmp_path: Path) -> None:
    result = check(tmp_path, {"partners/red-rock.yml": base_text("partners/red-rock.yaml")})
    assert result.code == 1
    assert result.diagnostics == [
        "plays/partners/red-rock.yml:1:1: error: duplicate partner id 'red-rock'"
        " (also red-rock.yaml)"
    ]


# --- assets --------------------------------------------------------------------------------------


def check_abs(tmp_path: Path, edits: Edits) -> Result:
    """`check` with an absolute --catalog (the relative-path asset crash is pinned below)."""
    root = make_catalog(tmp_path, edits)
    return run_cli("check", "--catalog", str(root), "--as-of", AS_OF, cwd=tmp_path)


def logo(value: str) -> dict[str, str | bytes | None]:
    return dict(replace_in(PARTNER, LOGO, value))


def test_asset_missing_with_did_you_mean(tmp_path: Path) -> None:
    result = check_abs(tmp_path, logo("assets/partners/blue-rivr.svg"))
    assert result.code == 1
    assert result.diagnostics == [
        "plays/partners/blue-river.yaml:3:7: error: asset 'assets/partners/blue-rivr.svg' does not"
        " exist (did you mean 'assets/partners/blue-river.svg'?)"
    ]


def test_a_missing_assets_did_you_mean_is_by_its_own_name_not_the_folder_it_shares(
    tmp_path: Path,
) -> None:
    """`assets/partners/blue-river.png` missing was offered
    'assets/partners/pena-sistemas.svg': the folder they share made the two close."""
    other = (MINIMAL / "assets/partners/blue-river.svg").read_bytes()
    edits = {**logo("assets/partners/harbor-lane.png"), "assets/partners/pena-sistemas.svg": other}
    result = check_abs(tmp_path, edits)
    assert result.diagnostics == [
        "plays/partners/blue-river.yaml:3:7: error: asset 'assets/partners/harbor-lane.png' does"
        " not exist"
    ]
    # a slip in the folder's name is still offered the file of that name
    result = check_abs(tmp_path / "again", logo("assets/partnrs/blue-river.svg"))
    assert result.diagnostics == [
        "plays/partners/blue-river.yaml:3:7: error: asset 'assets/partnrs/blue-river.svg' does"
        " not exist (did you mean 'assets/partners/blue-river.svg'?)"
    ]


def test_asset_missing_with_relative_catalog(tmp_path: Path) -> None:
    result = check(tmp_path, logo("assets/partners/blue-rivr.svg"))
    assert "internal error" not in result.stderr
    assert (
        "plays/partners/blue-river.yaml:3:7: error: asset 'assets/partners/blue-rivr.svg' does not"
        " exist (did you mean 'assets/partners/blue-river.svg'?)" in result.lines
    )


def test_asset_is_a_directory(tmp_path: Path) -> None:
    result = check_abs(tmp_path, logo("assets/partners"))
    assert (
        "plays/partners/blue-river.yaml:3:7: error: asset 'assets/partners' is not a file"
        " (did you mean 'assets/partners/blue-river.svg'?)" in result.lines
    )


def test_company_logo_missing(tmp_path: Path) -> None:
    result = check_abs(
        tmp_path, replace_in("catalog.yaml", "assets/northwind.svg", "assets/nope.svg")
    )
    # nothing like it: no file is offered because it shares "assets/" and ".svg"
    assert result.diagnostics == [
        "plays/catalog.yaml:5:9: error: asset 'assets/nope.svg' does not exist"
    ]


def test_a_missing_asset_spelt_in_another_case_is_offered_its_spelling(tmp_path: Path) -> None:
    result = check_abs(
        tmp_path, replace_in("catalog.yaml", "assets/northwind.svg", "assets/NorthWind.SVG")
    )
    assert result.diagnostics == [
        "plays/catalog.yaml:5:9: error: asset 'assets/NorthWind.SVG' does not exist"
        " (did you mean 'assets/northwind.svg'?)"
    ]


@pytest.mark.parametrize(
    "value", ["../secret.svg", "/etc/passwd", "catalog.yaml", "assets/../catalog.yaml"]
)
def test_asset_outside_assets(tmp_path: Path, value: str) -> None:
    result = check(tmp_path, {"../secret.svg": "<svg/>", **logo(value)})
    assert result.code == 1
    assert result.diagnostics == [
        f"plays/partners/blue-river.yaml:3:7: error: asset '{value}' is outside the catalog's"
        " assets/ folder"
    ]


def test_asset_symlink_out_of_assets(tmp_path: Path) -> None:
    root = make_catalog(tmp_path, logo("assets/evil.svg"))
    (tmp_path / "secret.svg").write_text("<svg/>")
    (root / "assets" / "evil.svg").symlink_to(tmp_path / "secret.svg")
    result = run_cli("check", "--catalog", "plays", "--as-of", AS_OF, cwd=tmp_path)
    assert result.diagnostics == [
        "plays/partners/blue-river.yaml:3:7: error: asset 'assets/evil.svg' is outside the"
        " catalog's assets/ folder"
    ]


@pytest.mark.parametrize(
    "value",
    [
        "https://x.example/logo.png",
        "//cdn.example/logo.png",
        "data:image/png;base64,AA",
        "file:assets/logo.png",
        "FILE:///etc/passwd",
    ],
)
def test_asset_url(tmp_path: Path, value: str) -> None:
    result = check(tmp_path, logo(value))
    assert result.diagnostics == [
        f"plays/partners/blue-river.yaml:3:7: error: asset '{value}' is a URL: put the file under"
        " assets/"
    ]


def test_asset_not_an_image(tmp_path: Path) -> None:
    result = check(tmp_path, {"assets/notes.svg": "just text", **logo("assets/notes.svg")})
    assert result.diagnostics == [
        "plays/partners/blue-river.yaml:3:7: error: asset 'assets/notes.svg' is not a PNG, JPEG,"
        " GIF, WebP or SVG image"
    ]


def test_asset_png_named_anything_is_an_image(tmp_path: Path) -> None:
    result = check(tmp_path, {"assets/logo.bin": PNG, **logo("assets/logo.bin")})
    assert (result.code, result.stderr) == (0, "")


def test_asset_larger_than_5_mb(tmp_path: Path) -> None:
    big = PNG + b"\0" * (MAX_ASSET_BYTES - len(PNG) + 1)
    result = check(tmp_path, {"assets/big.png": big, **logo("assets/big.png")})
    assert result.diagnostics == [
        "plays/partners/blue-river.yaml:3:7: error: asset 'assets/big.png' is larger than 5 MB"
    ]


def test_asset_exactly_5_mb_is_fine(tmp_path: Path) -> None:
    big = PNG + b"\0" * (MAX_ASSET_BYTES - len(PNG))
    result = check(tmp_path, {"assets/big.png": big, **logo("assets/big.png")})
    assert (result.code, result.stderr) == (0, "")


def test_check_asset_returns_the_resolved_file(tmp_path: Path) -> None:
    root = make_catalog(tmp_path)
    reporter = Reporter()
    found = check_asset(root, LOGO, Location(root / PARTNER, 3, 7), reporter)
    assert found == (root / LOGO).resolve()
    assert reporter.diagnostics == []


@pytest.mark.parametrize(
    ("head", "name", "expected"),
    [
        (b"\x89PNG\r\n\x1a\nrest", "a.png", True),
        (b"\xff\xd8\xff\xe0rest", "a.jpg", True),
        (b"GIF89a rest", "a.gif", True),
        (b"RIFF\0\0\0\0WEBPVP8 ", "a.webp", True),
        (b"<?xml version='1.0'?><svg xmlns='x'/>", "a.svg", True),
        (b"<svg/>", "a.txt", False),
        (b"<html></html>", "a.svg", False),
        (b"", "a.png", False),
    ],
)
def test_is_image_sniffs_content(tmp_path: Path, head: bytes, name: str, expected: bool) -> None:
    file = tmp_path / name
    file.write_bytes(head)
    assert is_image(file) is expected


def test_describe_values() -> None:
    assert describe(None) == "nothing"
    assert describe(False) == "'false'"
    assert describe(1.5) == "the number 1.5"
    assert describe(dt.date(2026, 1, 2)) == "the date 2026-01-02"
    assert describe("x" * 41) == "'" + "x" * 40 + "…'"


@pytest.mark.parametrize(
    ("value", "setup"),
    [
        pytest.param('"assets/a\\0b.svg"', None, id="nul-escape"),
        pytest.param("assets/" + "a" * 5000 + ".svg", None, id="name-too-long"),
        pytest.param("assets/loop.svg", "loop", id="symlink-loop"),
    ],
)
def test_unusable_asset_paths_are_errors_not_crashes(
    tmp_path: Path, value: str, setup: str | None
) -> None:
    root = make_catalog(tmp_path, logo(value))
    if setup == "loop":
        (root / "assets" / "loop.svg").symlink_to("loop.svg")
    result = run_cli("check", "--catalog", str(root), "--as-of", AS_OF, cwd=tmp_path)
    assert "internal error" not in result.stderr
    assert result.code == 1
    # a NUL escape is refused by the loader already, at the escape itself
    want = "3:16: error: control character U+0000" if "\\0" in value else "3:7: error: asset "
    assert [line for line in result.lines if line.startswith(f"plays/{PARTNER}:{want}")]


@pytest.mark.parametrize(
    ("contact", "column", "message"),
    [
        (
            "{email: not-an-email}",
            18,
            "'contact.email': not an e-mail address (name@example.com), found 'not-an-email'",
        ),
        (
            "{email: dana@blueriver}",
            18,
            "'contact.email': not an e-mail address (name@example.com), found 'dana@blueriver'",
        ),
        (
            '{website: "javascript:alert(1)"}',
            20,
            "'contact.website': not a web address (https://www.example.com or"
            " www.example.com), found 'javascript:alert(1)'",
        ),
        (
            "{website: blue river it}",
            20,
            "'contact.website': not a web address (https://www.example.com or"
            " www.example.com), found 'blue river it'",
        ),
    ],
)
def test_a_contact_that_no_one_could_write_to_is_one_error(
    tmp_path: Path, contact: str, column: int, message: str
) -> None:
    """A partner's contact is printed in its kit for customers: a slip in its address was
    printed as written."""
    old = "contact: {name: Dana Ruiz, email: dana@blueriver.example}"
    result = check(tmp_path, replace_in(PARTNER, old, f"contact: {contact}"))
    assert result.diagnostics == [f"plays/{PARTNER}:4:{column}: error: {message}"]


def test_contacts_as_people_write_them_are_fine(tmp_path: Path) -> None:
    old = "contact: {name: Dana Ruiz, email: dana@blueriver.example}"
    new = (
        "contact: {email: dana.ruiz+kits@blue-river.co.uk, website: www.blueriver.example,"
        " phone: +44 20 7946 0000}"
    )
    result = check(tmp_path, replace_in(PARTNER, old, new))
    assert (result.code, result.diagnostics) == (0, [])
    https = "contact: {website: 'https://blueriver.example/partners?id=7#kits'}"
    assert check(tmp_path / "b", replace_in(PARTNER, old, https)).diagnostics == []


def test_an_empty_glossary_term_or_meaning_is_an_error(tmp_path: Path) -> None:
    """An empty term matched every text and put "— empty term" on every card's decoder, kit
    cards too; `B2B: ""` printed "B2B —" with nothing after it."""
    glossary = base_text("glossary.yaml") + '"": empty term\nB2B: "  "\n'
    result = check(tmp_path, {"glossary.yaml": glossary})
    assert result.code == 1
    said = "\n".join(result.diagnostics)
    assert "error: '': a glossary term needs a visible character" in said
    assert "error: 'B2B': a term's meaning needs a visible character" in said


def test_a_slip_in_catalog_yaml_does_not_hide_the_other_files_errors(tmp_path: Path) -> None:
    """`accent: orange` was the only error said: an unknown claim and a missing logo in other
    files came only once the colour was fixed."""
    config = base_text("catalog.yaml").replace('accent: "#FF6B00"', "accent: orange")
    edits: Edits = {
        "catalog.yaml": config.replace("max_age_days: 90", "max_age_days: 90.5"),
        **replace_in(PLAY, "why_us: [anomaly-alerts]", "why_us: [anomaly-alert]"),
    }
    result = check(tmp_path, edits)
    assert result.code == 1
    expected = [
        "plays/catalog.yaml:8:11: error: 'brand.accent' is not a colour, found 'orange'",
        "plays/catalog.yaml:11:17: error: 'review.max_age_days' should be a whole number",
        f"{SHOWN}:6:10: error: unknown differentiator 'anomaly-alert' (did you mean",
    ]
    assert len(result.diagnostics) == len(expected), result.diagnostics
    for line, start in zip(result.diagnostics, expected, strict=True):
        assert line.startswith(start), line
    assert result.lines[-1] == "3 errors, 0 warnings"


def test_a_slip_in_the_tiers_still_stops_at_catalog_yaml(tmp_path: Path) -> None:
    """The other files name tiers: read with default ones, every partner would be wrong."""
    edits: Edits = {
        **replace_in("catalog.yaml", "tiers: [registered, silver, gold]", "tiers: [Gold]"),
        **replace_in(PLAY, "why_us: [anomaly-alerts]", "why_us: [anomaly-alert]"),
    }
    result = check(tmp_path, edits)
    assert [d.split(":")[0] for d in result.diagnostics] == ["plays/catalog.yaml"]


def test_a_file_of_another_kinds_fields_is_one_error_naming_its_folder(tmp_path: Path) -> None:
    """A play saved in competitors/ gave an error for each of its fields (a missing
    'reviewed' and 'type', then 'products', 'why_now'… unknown) and none said where it
    belonged: one line names the kind its fields are and the folder to move it to. A
    competitor with a few misspelt fields still gets its own errors."""
    play = base_text("plays/recovery-drills.yaml")
    result = check(tmp_path, {"competitors/drills.yaml": play})
    assert result.code == 1
    assert result.diagnostics == [
        "plays/competitors/drills.yaml:1:1: error: this file has a play's fields (products,"
        " why_do_anything, why_now, …), not a competitor's: move it to plays/plays/"
    ]
    slips = base_text("competitors/acme.yaml") + "strenghts: [x]\nwebsit: x.example\n"
    result = check(tmp_path / "slips", {"competitors/acme.yaml": slips})
    assert [d.split(": error: ")[1].split(" (")[0] for d in result.diagnostics] == [
        "unknown field 'strenghts'",
        "unknown field 'websit'",
    ]

"""Errors for marketers: each typical YAML slip is one located line in plain words with the fix.

Every case edits `tests/roots/minimal` and runs `salesplay check` (nothing is rendered); the
whole diagnostic list is pinned, so a follow-on error or warning would fail the test too.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import base_text, check, replace_in
from salesplay.load import LoadError, parse_document

PLAY = "plays/recovery-drills.yaml"
SHOWN = "plays/plays/recovery-drills.yaml"
BM = "plays/backup-modernization.yaml"
BM_SHOWN = "plays/plays/backup-modernization.yaml"
PATH = "paths/resilience-journey.yaml"
PATH_SHOWN = "plays/paths/resilience-journey.yaml"


# --- YAML-level slips: one error, nothing after it --------------------------------------------


def test_tab_character(tmp_path: Path) -> None:
    result = check(tmp_path, replace_in(PLAY, "  - Who signs", "\t- Who signs"))
    assert result.code == 1
    assert result.diagnostics == [
        f"{SHOWN}:8:1: error: could not be read: a tab character: indent with spaces"
    ]


def test_colon_inside_text(tmp_path: Path) -> None:
    result = check(tmp_path, replace_in(PLAY, "why_now: Auditors", "why_now: Tip: Auditors"))
    assert result.diagnostics == [
        f"{SHOWN}:5:13: error: could not be read: a colon followed by a space inside text:"
        ' put the text in quotes, e.g. why_now: "Tip: Auditors now ask for recovery…"'
    ]


TALK = 'talk_track: "Price one day of downtime against the project."'


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        pytest.param(
            TALK,
            "talk_track: 'We've priced it.'",
            "10:45: error: could not be read: the text in '…' ends at the apostrophe in We've:"
            " put the text in double quotes, or write the apostrophe twice ('We''ve')",
            id="apostrophe-in-flow",
        ),
        pytest.param(
            TALK,
            'talk_track: "We use "Acme" already."',
            '10:50: error: could not be read: an inner " ends the quoted text: put the text in'
            ' single quotes, or write \\" for each " inside it',
            id="inner-double-quote-in-flow",
        ),
        pytest.param(
            "next_steps: [Schedule a first drill]",
            'next_steps: ["Schedule" a first drill]',
            "11:25: error: could not be read: text goes on after the closing quote: put all of"
            " the text in one pair of quotes, or put a comma before it if it starts the next"
            " item",
            id="text-after-quote-in-list",
        ),
        pytest.param(
            "why_now: Auditors now ask for recovery evidence.",
            'why_now: "Auditors now ask for recovery evidence.',
            "5:10: error: could not be read: a quote opened here is never closed: end the text"
            ' with a closing "',
            id="unclosed-quote-read-on-to-the-next",
        ),
        pytest.param(
            "why_now: Auditors now ask for recovery evidence.",
            "why_now: 'Auditors' now ask for recovery evidence.",
            "5:21: error: could not be read: text goes on after the closing quote: put all of"
            " the text in one pair of quotes (double quotes if it holds an apostrophe)",
            id="text-after-quote-in-block",
        ),
    ],
)
def test_a_quote_slip_is_said_where_it_is(tmp_path: Path, old: str, new: str, said: str) -> None:
    """In `{…}` and `[…]` a quote that ends the text early was "a mapping opened with '{' is
    never closed" (it is closed), and a quote never closed, "text goes on after the closing
    quote" lines below, at the quote it ran on to."""
    result = check(tmp_path, replace_in(PLAY, old, new))
    assert (result.code, result.diagnostics) == (1, [f"{SHOWN}:{said}"])


def test_colon_inside_a_list_item_reads_as_a_field(tmp_path: Path) -> None:
    # `- Tip: …` is valid YAML (a one-field mapping), so validation explains it
    result = check(tmp_path, replace_in(PLAY, "  - Who signs", "  - Tip: who signs"))
    assert result.diagnostics == [
        f"{SHOWN}:8:5: error: 'discovery.1' should be a string, found a mapping: a colon"
        " followed by a space inside text makes a field; put the text in quotes,"
        ' e.g. - "Tip: who signs off that a restore…"'
    ]


def test_wrong_indentation_names_the_line(tmp_path: Path) -> None:
    # libyaml: "did not find expected key"
    result = check(tmp_path, replace_in("catalog.yaml", "  tagline:", " tagline:"))
    assert result.diagnostics == [
        "plays/catalog.yaml:3:2: error: could not be read: check the indentation of line 3:"
        " line it up with the fields or list items it belongs with"
    ]


def test_field_indented_under_a_value(tmp_path: Path) -> None:
    result = check(tmp_path, replace_in(PLAY, "why_now:", " why_now:"))
    assert result.diagnostics == [
        f"{SHOWN}:5:2: error: could not be read: check the indentation of line 5:"
        " 'why_now' sits under 'why_do_anything', which already has a value"
    ]


@pytest.mark.parametrize(
    ("old", "new", "line", "col", "example"),
    [
        ("why_now:", "why_now", 5, 8, "why_now: Auditors now ask for recovery evidence."),
        ("next_steps:", "next_steps", 11, 11, "next_steps: [Schedule a first drill]"),
        ("discovery:", "discovery", 7, 10, "discovery:"),
    ],
)
def test_field_without_its_colon(
    tmp_path: Path, old: str, new: str, line: int, col: int, example: str
) -> None:
    # libyaml: "could not find expected ':'", read as a mis-indented line before
    result = check(tmp_path, replace_in(PLAY, old, new))
    assert result.diagnostics == [
        f"{SHOWN}:{line}:{col}: error: could not be read: no colon after '{new}': put a colon"
        f" after the field name, e.g. {example}"
    ]


def test_misaligned_field_of_a_list_item(tmp_path: Path) -> None:
    # libyaml: "did not find expected '-' indicator"
    result = check(
        tmp_path, replace_in(PATH, "    milestone: Quarterly", "   milestone: Quarterly")
    )
    assert result.diagnostics == [
        f"{PATH_SHOWN}:10:4: error: could not be read: check the indentation of line 10:"
        " line it up with the fields or list items it belongs with"
    ]


@pytest.mark.parametrize("indent", ["", "  "])
def test_step_appended_after_audience(tmp_path: Path, indent: str) -> None:
    text = base_text(PATH) + f"audience: rep\n{indent}- play: backup-modernization\n"
    result = check(tmp_path, {PATH: text})
    # no "play is on no path" nor "destination has no path": the path file did not read
    assert result.diagnostics == [
        f"{PATH_SHOWN}:12:{len(indent) + 1}: error: could not be read: this list item comes"
        " after 'audience: rep', which is not a list: it belongs under 'steps:'"
        " (move it up, after line 10)"
    ]


def test_item_after_a_text_list_with_a_value_makes_that_field_a_list(tmp_path: Path) -> None:
    # discovery above holds items like this one, but the item is next_steps' own
    steps = "next_steps: Schedule a first drill with the finance team\n- Send the report"
    result = check(tmp_path, replace_in(PLAY, "next_steps: [Schedule a first drill]", steps))
    assert result.diagnostics == [
        f"{SHOWN}:12:1: error: could not be read: this list item comes after 'next_steps:"
        " Schedule a first drill with the finance…', which is not a list: to make 'next_steps'"
        " a list, move its value to a '- ' line of its own under 'next_steps:'"
    ]


def test_indented_item_after_a_text_list_with_a_value(tmp_path: Path) -> None:
    # valid YAML: the '- ' line goes on the text, so validation explains it
    steps = "next_steps: Schedule a first drill with the finance team\n  - Send the report"
    result = check(tmp_path, replace_in(PLAY, "next_steps: [Schedule a first drill]", steps))
    assert result.diagnostics == [
        f"{SHOWN}:11:13: error: 'next_steps' should be a list, found 'Schedule a first drill"
        " with the finance …': the '- ' item on line 12 is read as more of this text; to"
        " make a list, move 'Schedule a first drill with the finance…' to a '- ' line of its"
        " own under 'next_steps:'"
    ]


@pytest.mark.parametrize(
    ("written", "line", "col", "column"),
    [
        ("  - Large installed base\n   - Strong in tape", 7, 4, 3),  # one space too far
        ("- Large installed base\n  - Strong in tape", 7, 3, 1),  # the first one dedented
    ],
    ids=["indented", "first-dedented"],
)
def test_a_dash_line_read_as_more_of_the_item_above_is_one_error(
    tmp_path: Path, written: str, line: int, col: int, column: int
) -> None:
    """Valid YAML: a '- ' one space deeper than its neighbour is more of the plain text
    above, so two strengths were one bullet ("… base - Strong in tape"), with no word."""
    rel = "competitors/acme.yaml"
    result = check(
        tmp_path, replace_in(rel, "strengths: [Large installed base]", "strengths:\n" + written)
    )
    assert result.code == 1
    assert result.diagnostics == [
        f"plays/{rel}:{line}:{col}: error: this '- ' line is read as more of item 1 of"
        f" 'strengths' (line {line - 1}), not as an item of its own: put its '-' in column"
        f" {column}, under the item's"
    ]


@pytest.mark.parametrize(
    ("old", "new", "said"),
    [
        (
            'response: "Ask how long the last **restore** took."}',
            'response: "Ask how long the last **restore** took."}\n'
            '  - {objection: "We already  have backups.", response: "Another answer."}',
            "plays/plays/backup-modernization.yaml:14:17: error: this objection is in"
            " objections of play 'backup-modernization' already (item 1): merge the two, or"
            " delete one",
        ),
        (
            "  - When did you last restore a full system, and how long did it take?\n",
            "  - When did you last restore a full system, and how long did it take?\n"
            "  - when did you last restore a full system, and how long did it take?\n",
            "plays/plays/backup-modernization.yaml:12:5: error: this question is in discovery"
            " of play 'backup-modernization' already (item 1): merge the two, or delete one",
        ),
    ],
    ids=["objection", "discovery"],
)
def test_an_objection_or_question_written_twice_is_one_error(
    tmp_path: Path, old: str, new: str, said: str
) -> None:
    """The card printed it twice, an objection with two different answers, and `check`
    said nothing (a claim listed twice was an error already)."""
    result = check(tmp_path, replace_in("plays/backup-modernization.yaml", old, new))
    assert (result.code, result.diagnostics) == (1, [said])


def test_a_file_saved_as_utf16_is_named_so(tmp_path: Path) -> None:
    """Notepad's "Unicode" was "not valid UTF-8 (byte 0xff)": right, but not the setting."""
    rel = "competitors/acme.yaml"
    result = check(tmp_path, {rel: base_text(rel).encode("utf-16")})
    assert (result.code, result.diagnostics) == (
        1,
        [
            f"plays/{rel}:1:1: error: file is saved as UTF-16 (Notepad's 'Unicode'); save it"
            " as UTF-8"
        ],
    )


def test_curly_quotes_pasted_from_a_word_processor_are_said_to_be_text(tmp_path: Path) -> None:
    """`reviewed: “2026-11-20”` had no suggestion, and a summary in curly quotes holding a
    colon was told to be put in quotes, its curly ones kept in the example."""
    rel = "competitors/acme.yaml"
    result = check(tmp_path, replace_in(rel, "reviewed: 2026-10-01", "reviewed: “2026-10-01”"))
    assert result.diagnostics == [
        f"plays/{rel}:8:11: error: 'reviewed': expected a date YYYY-MM-DD, found '“2026-10-01”':"
        " curly quotes are not YAML's, they are read as text: write 2026-10-01"
    ]
    summary = "summary: “Tip: Acme is on-prem.”"
    result = check(
        tmp_path / "b", replace_in(rel, "summary: Incumbent on-prem backup suite.", summary)
    )
    assert result.diagnostics[0].endswith(
        'put the text in quotes, e.g. summary: "Tip: Acme is on-prem."'
    )


def test_item_after_a_list_in_brackets() -> None:
    text = b"name: a\nnext_steps: [Book a workshop]\n- Send the report\n"
    with pytest.raises(LoadError) as info:
        parse_document(Path("x.yaml"), "play", "x", text)
    assert (info.value.line, info.value.col, str(info.value)) == (
        3,
        1,
        "could not be read: this list item comes after 'next_steps: [Book a workshop]', a list"
        " in brackets: put the item inside the brackets after a comma, or write every item on"
        " a '- ' line of its own under 'next_steps:'",
    )


def test_unreadable_file_has_no_follow_on_diagnostics(tmp_path: Path) -> None:
    # the path names recovery-drills, which uses anomaly-alerts and status-quo: none of that
    # is reported as unknown or unused while the play file cannot be read
    result = check(
        tmp_path,
        replace_in(PLAY, "why_now: Auditors", "why_now: Tip: Auditors"),
        "--format",
        "json",
    )
    items = json.loads(result.stdout)
    items = items["diagnostics"] if isinstance(items, dict) else items
    assert [(i["file"], i["code"], i["subject"]) for i in items] == [
        (SHOWN, "yaml", {"kind": "play", "id": "recovery-drills"})
    ]
    assert items[0]["message"].startswith("could not be read: ")


# --- shape mistakes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("rel", "old", "new", "line", "where"),
    [
        (BM, "triggers:", "economic_buyer: CFO\ntriggers:", 6, "under 'target:'"),
        (
            BM,
            "triggers:",
            "landmines: [Ask about cost]\ntriggers:",
            6,
            "in an item of 'competitors:'",
        ),
        (PATH, "name: From", "stage: Late\nname: From", 2, "in an item of 'steps:'"),
    ],
)
def test_misplaced_field_names_its_parent(
    tmp_path: Path, rel: str, old: str, new: str, line: int, where: str
) -> None:
    field = new.split(":")[0]
    result = check(tmp_path, replace_in(rel, old, new))
    assert result.diagnostics == [
        f"plays/{rel}:{line}:1: error: field '{field}' does not belong here: it goes {where}"
    ]


def test_typo_in_a_field_name_still_gets_did_you_mean(tmp_path: Path) -> None:
    result = check(tmp_path, replace_in(PLAY, "why_now:", "why_nwo:"))
    assert f"{SHOWN}:5:1: error: unknown field 'why_nwo' (did you mean 'why_now'?)" in result.lines


def test_should_be_a_mapping_lists_the_fields(tmp_path: Path) -> None:
    old = (
        "target: {segments: [mid-market], personas: [Head of infrastructure], economic_buyer: CIO}"
    )
    result = check(tmp_path, replace_in(BM, old, "target: mid-market"))
    assert result.diagnostics == [
        f"{BM_SHOWN}:5:9: error: 'target' should be a mapping, found 'mid-market'"
        " (fields: segments, industries, personas, economic_buyer, audience)"
    ]


def test_item_numbers_are_one_based(tmp_path: Path) -> None:
    old = 'response: "Ask how long the last **restore** took."'
    result = check(tmp_path, replace_in(BM, old, "response: 42"))
    assert result.diagnostics == [
        f"{BM_SHOWN}:13:55: error: 'objections.1.response' should be a string,"
        " found the number 42 (quote it to make it text)"
    ]


def test_list_in_a_text_field_suggests_a_bullet_block(tmp_path: Path) -> None:
    new = "why_now:\n  - Auditors ask for evidence\n  - Insurers ask too"
    result = check(
        tmp_path, replace_in(PLAY, "why_now: Auditors now ask for recovery evidence.", new)
    )
    assert result.diagnostics == [
        f"{SHOWN}:6:3: error: 'why_now' should be a string, found a list: to write bullets,"
        " start a text block with 'why_now: |' and put one '- ' line per bullet, indented,"
        " under it"
    ]


def test_list_item_without_a_space_after_the_dash(tmp_path: Path) -> None:
    result = check(tmp_path, replace_in(PLAY, "  - Who signs", "  -Who signs"))
    assert result.diagnostics == [
        f"{SHOWN}:8:3: error: 'discovery' should be a list, found '-Who signs off that a"
        " restore worked?': a list item needs a space after the '-', e.g. '- Who signs off"
        " that a restore worked?'"
    ]


def test_no_space_after_a_colon(tmp_path: Path) -> None:
    result = check(tmp_path, replace_in(PLAY, "summary: Prove", "summary:Prove"))
    assert result.diagnostics == [
        f"{SHOWN}:2:9: error: could not be read: no space after 'summary:': put a space between"
        " the colon and the value"
    ]


def test_hash_starts_a_comment(tmp_path: Path) -> None:
    result = check(tmp_path, replace_in(PLAY, "why_now: Auditors", "why_now: #1 reason: Auditors"))
    assert result.diagnostics == [
        f"{SHOWN}:5:9: error: 'why_now' should be a string, found nothing: a '#' after a space"
        " starts a comment; put the text in quotes"
    ]


def test_hash_inside_braces_starts_a_comment(tmp_path: Path) -> None:
    # the comment hides the '}': libyaml says the mapping is never closed
    old = 'brand:\n  primary: "#0B5FFF"\n  accent: "#FF6B00"'
    new = 'brand: {primary: #0B5FFF, accent: "#FF6B00"}'
    result = check(tmp_path, replace_in("catalog.yaml", old, new))
    assert result.diagnostics == [
        "plays/catalog.yaml:6:18: error: could not be read: a '#' after a space starts a comment;"
        " put the text in quotes"
    ]


# --- references -------------------------------------------------------------------------------


def test_asset_path_without_assets_folder(tmp_path: Path) -> None:
    result = check(tmp_path, replace_in("catalog.yaml", "logo: assets/", "logo: "))
    assert result.diagnostics == [
        "plays/catalog.yaml:5:9: error: asset 'northwind.svg' must start with 'assets/'"
        " (did you mean 'assets/northwind.svg'?)"
    ]


def test_asset_path_that_is_nowhere_is_still_outside(tmp_path: Path) -> None:
    result = check(tmp_path, replace_in("catalog.yaml", "logo: assets/northwind", "logo: nowhere"))
    assert result.diagnostics == [
        "plays/catalog.yaml:5:9: error: asset 'nowhere.svg' is outside the catalog's assets/ folder"
    ]


@pytest.mark.parametrize("written", ["anomaly-detection", "Ransomware anomaly detection"])
def test_capability_without_its_product(tmp_path: Path, written: str) -> None:
    diff = "differentiators/anomaly-alerts.yaml"
    result = check(tmp_path, replace_in(diff, "[vault/anomaly-detection]", f"[{written}]"))
    assert result.diagnostics == [
        f"plays/{diff}:3:13: error: capability reference '{written}' must be"
        " 'product-id/capability-id' (did you mean 'vault/anomaly-detection'?)"
    ]


def test_claim_text_where_its_id_belongs(tmp_path: Path) -> None:
    claim = "Only we flag ransomware inside the backup stream itself."
    result = check(tmp_path, replace_in(PLAY, "why_us: [anomaly-alerts]", f"why_us: [{claim}]"))
    assert (
        f"{SHOWN}:6:10: error: unknown differentiator 'Only we flag ransomware inside the…'"
        " (did you mean 'anomaly-alerts'? name a differentiator by its id, the name of its file)"
        in result.lines
    )


def test_play_name_where_its_id_belongs(tmp_path: Path) -> None:
    result = check(tmp_path, replace_in(PATH, "play: recovery-drills", "play: Recovery Drills"))
    assert (
        f"{PATH_SHOWN}:8:11: error: unknown play 'Recovery Drills' (did you mean 'recovery-drills'?"
        " name a play by its id, the name of its file)" in result.lines
    )


# --- the parser's other slips, without the CLI ----------------------------------------------


@pytest.mark.parametrize(
    ("text", "line", "col", "message"),
    [
        ("name: a\nsummary: [unclosed\n", 2, 10, "a list opened with '[' is never closed"),
        ("name: a\nsummary: {a: b\n", 2, 10, "a mapping opened with '{' is never closed"),
        # the file's last line opens it: said as "a '- ' item inside the '[' of line 2"
        ("name: a\nbad: [\n", 2, 6, "a list opened with '[' is never closed"),
        ("name: a\nbad: {x: [1], y: [\n", 2, 18, "a list opened with '[' is never closed"),
        ("name: a\nbad: {\n", 2, 6, "a mapping opened with '{' is never closed"),
        ("brand: {primary: #0B5FFF}\n", 1, 18, "a '#' after a space starts a comment"),
        ("regions: [EMEA, #1 APAC]\nname: a\n", 1, 17, "a '#' after a space starts a comment"),
        ("summary: {a: b\nregions: [x] # ok\n", 1, 10, "a mapping opened with '{' is never"),
        (
            'name: "abc\nwhy_now: x\n',
            1,
            7,
            'a quote opened here is never closed: end the text with a closing "',
        ),
        (
            'name: "Acme" Backup\n',
            1,
            14,
            "text goes on after the closing quote: put all of the text",
        ),
        ("name: 'it's'\n", 1, 10, "the text in '…' ends at the apostrophe in it's: put the text"),
        (
            "competitors:\n  - {competitor: 'a, talk_track: 'b'}\n",
            2,
            18,
            "a quote opened here is never closed: end the text with a closing '",
        ),
        ("name: [a] b\n", 1, 11, "text goes on after a closing ']': put the whole text in quotes"),
        ("name: @acme\n", 1, 7, "text cannot start with '@': put the text in quotes"),
        ("name: *bold* claim\n", 1, 7, "text cannot start with '*': put the text in quotes"),
        ('name: "C:\\path"\n', 1, 10, "a backslash in double quotes starts an escape"),
        (
            "why_now: Audits\n  ask: more\n",
            2,
            6,
            "a colon followed by a space inside text (the text goes on from line 1)",
        ),
        ("name: |\nno indent\n", 2, 1, "check the indentation of line 2"),
        ("target:\n\tsegments: [a]\n", 2, 1, "a tab character: indent with spaces"),
        ("name: a\n\tsummary: b\n", 2, 1, "a tab character: indent with spaces"),
        ("name: *Harbor Lane\n", 1, 7, "text cannot start with '*': put the text in quotes"),
        ('name: "Acme" *rocks*\n', 1, 14, "text goes on after the closing quote"),
        ("name: a\n%summary: b\n", 2, 1, "text cannot start with '%'"),
        ("  name: a\nsummary: b\n", 1, 1, "check the indentation of line 1: top-level fields"),
        (
            "next_steps:  - Book a workshop\n",
            1,
            14,
            "a list item cannot start on the line of its field: put each '- ' item on a line of"
            " its own under 'next_steps:', indented",
        ),
        ("regions: [EMEA, - APAC]\n", 1, 17, "a '- ' item inside the '[' or '{' of line 1"),
        ("name: |Recovery\n", 1, 8, "a '|' text block starts on the next line"),
        ("name Recovery\nsummary: b\n", 1, 5, "no colon after 'name': put a colon"),
        (
            "target:\n  segments [smb]\n  personas: [CIO]\n",
            2,
            11,
            "no colon after 'segments': put a colon after the field name, e.g. segments: [smb]",
        ),
        (
            "competitors:\n  - competitor acme\n    talk_track: x\n",
            2,
            15,
            "no colon after 'competitor': put a colon after the field name, e.g. competitor: acme",
        ),
        ("summary: a\nmore text\nname: b\n", 2, 1, "check the indentation of line 2"),
    ],
)
def test_parse_errors_in_plain_words(text: str, line: int, col: int, message: str) -> None:
    with pytest.raises(LoadError) as info:
        parse_document(Path("x.yaml"), "play", "x", text.encode())
    assert (info.value.line, info.value.col) == (line, col)
    assert str(info.value).startswith(f"could not be read: {message}")


def test_list_item_with_no_list_to_join() -> None:
    with pytest.raises(LoadError) as info:
        parse_document(Path("x.yaml"), "path", "x", b"name: a\naudience: rep\n- play: b\n")
    assert str(info.value) == (
        "could not be read: this list item comes after 'audience: rep', which is not a list:"
        " move it under the list it belongs to"
    )


def test_indentless_list_is_found_as_the_home() -> None:
    text = b"steps:\n- play: a\n  stage: b\n- play: c\naudience: rep\n- play: d\n"
    with pytest.raises(LoadError) as info:
        parse_document(Path("x.yaml"), "path", "x", text)
    assert (info.value.line, str(info.value)) == (
        6,
        "could not be read: this list item comes after 'audience: rep', which is not a list:"
        " it belongs under 'steps:' (move it up, after line 4)",
    )


def test_long_field_in_a_list_item_is_numbered_from_one(tmp_path: Path) -> None:
    long = "Who signs off that a restore worked? " * 150
    result = check(
        tmp_path, replace_in(PLAY, "  - Who signs off that a restore worked?", f"  - {long}")
    )
    assert [line for line in result.diagnostics if "characters long" in line] == [
        f"{SHOWN}:8:5: warning: 'discovery.1' is {len(long.strip()):,} characters long"
        " (at most 5,000 fit a card): shorten it or link to a document"
    ]


@pytest.mark.parametrize(
    ("text", "said"),
    [
        # a field no output can show, whose every render grows with it
        ("word " * 12_000, "error: 'discovery.1' is 59,999 characters long; a text field holds at"
         " most 50,000 (a card shows about 5,000): shorten it, or link to a document"),
        # a word no line holds, which WeasyPrint breaks a line at a time
        ("Ask " + "m" * 1_500 + " twice", "error: 'discovery.1' has a word of 1,500 characters"
         " ('mmmmmmmmmmmmmmmmmmmm…'); a word has at most 1,000: put spaces in it"),
    ],
)  # fmt: skip
def test_text_past_what_any_output_can_lay_out_is_an_error(
    tmp_path: Path, text: str, said: str
) -> None:
    """A 1.9 MB field, or a 20,000-letter word in a play's name, was only a warning: the build
    then ran past five minutes on one card."""
    result = check(
        tmp_path, replace_in(PLAY, "  - Who signs off that a restore worked?", f"  - {text}")
    )
    assert result.code == 1
    assert [line for line in result.diagnostics if ": error: " in line] == [f"{SHOWN}:8:5: {said}"]


def test_long_links_and_unspaced_scripts_are_no_long_words(tmp_path: Path) -> None:
    url = "https://example.com/" + "a" * 1_500
    japanese = "復旧手順を確認" * 300  # written without spaces: 2,100 characters, one "word"
    text = f"See [the guide]({url}) and <{url}>; {japanese}"
    result = check(
        tmp_path, replace_in(PLAY, "  - Who signs off that a restore worked?", f"  - {text}")
    )
    assert not [line for line in result.diagnostics if ": error: " in line], result.diagnostics

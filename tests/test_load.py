"""Stage 1, load: every way a file can fail to be one plain YAML mapping, with its location."""

from __future__ import annotations

import itertools
from pathlib import Path

import pytest

from conftest import AS_OF, base_text, check, make_catalog, replace_in, run_cli
from salesplay.load import MAX_NODES, LoadError, parse_document

PLAY = "plays/recovery-drills.yaml"
SHOWN = "plays/plays/recovery-drills.yaml"


def parse(text: str | bytes, kind: str = "play") -> object:
    raw = text.encode() if isinstance(text, str) else text
    return parse_document(Path("x.yaml"), kind, "x", raw).data


def load_error(text: str | bytes, kind: str = "play") -> LoadError:
    with pytest.raises(LoadError) as info:
        parse(text, kind)
    return info.value


def alias_bomb(levels: int = 9) -> str:
    """The "billion laughs": each level holds nine aliases of the previous one."""
    names = [f"l{i}" for i in range(levels)]
    lines = [f"{names[0]}: &{names[0]} [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for prev, name in itertools.pairwise(names):
        lines.append(f"{name}: &{name} [{', '.join([f'*{prev}'] * 9)}]")
    return "\n".join(lines) + "\n"


# --- parse_document: plain data, marks and styles ---------------------------------------------


def test_marks_point_at_values_and_keys() -> None:
    doc = parse_document(Path("p.yaml"), "play", "p", b"name: Drill\nwhy_us:\n  - a\n  - b\n")
    assert doc.data == {"name": "Drill", "why_us": ["a", "b"]}
    assert doc.marks[("name",)] == (1, 7)
    assert doc.marks[("why_us", 1)] == (4, 5)
    assert doc.key_marks[("why_us",)] == (2, 1)
    assert doc.marks[("why_us",)] == (3, 3)  # a block sequence starts at its first dash
    assert (doc.loc(("why_us", 7, "x")).line, doc.loc(("why_us", 7, "x")).col) == (3, 3)
    assert doc.key_loc(("name",)).col == 1
    assert doc.loc(("nowhere",)) == doc.loc(())


def test_yaml_1_2_booleans_only_true_and_false() -> None:
    doc = parse_document(
        Path("glossary.yaml"), "glossary", "glossary", b"no: Norway\non: lit\ny: why\nok: true\n"
    )
    assert doc.data == {"no": "Norway", "on": "lit", "y": "why", "ok": True}
    values = parse("a: no\nb: off\nc: yes\nd: False\n")
    assert values == {"a": "no", "b": "off", "c": "yes", "d": False}


def test_dates_numbers_and_impossible_dates() -> None:
    # YAML 1.2, as the editor's schema reads it: no timestamps (a date field takes its ISO
    # text); numbers in decimal, 0o or 0x
    data = parse("a: 2026-10-01\nb: 42\nc: 2026-13-45\nd: 2027-Q2\n")
    assert data == {"a": "2026-10-01", "b": 42, "c": "2026-13-45", "d": "2027-Q2"}


@pytest.mark.parametrize(
    ("text", "value"),
    [
        # YAML 1.1 read 060 as octal 48 ("48 % confidence" on the cards), 1:30 as 90
        ("060", 60),
        ("0o17", 15),
        ("0x1F", 31),
        ("1:30", "1:30"),
        ("1_000", "1_000"),
        ("24:7", "24:7"),
        ("1e3", 1000.0),
        ("-.5", -0.5),
        ("12.", 12.0),
        ("+3", 3),
        ("no", "no"),
        ("2027-06-30", "2027-06-30"),
    ],
)
def test_plain_scalars_read_as_yaml_1_2(text: str, value: object) -> None:
    assert parse(f"a: {text}\n") == {"a": value}


def test_utf8_bom_is_accepted() -> None:
    assert parse("\ufeffname: café\n") == {"name": "café"}


def test_duplicate_key_points_at_second_key() -> None:
    err = load_error("name: a\nsummary: b\n  \nname: c\n")
    assert (str(err), err.line, err.col) == ("duplicate key 'name' (first defined at line 1)", 4, 1)


def test_duplicate_key_in_nested_mapping() -> None:
    err = load_error("target:\n  segments: [a]\n  segments: [b]\n")
    assert (str(err), err.line, err.col) == (
        "duplicate key 'segments' (first defined at line 2)",
        3,
        3,
    )


def test_empty_and_comment_only_files() -> None:
    for text in ("", "# nothing here\n", "\n\n"):
        err = load_error(text)
        assert (str(err), err.line, err.col) == (
            "empty file: expected a mapping of play fields",
            1,
            1,
        )


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty file: expected terms and their meanings (TERM: meaning), or delete the file"),
        (
            "- RPO\n",
            "expected terms and their meanings (TERM: meaning), found a list",
        ),
    ],
)
def test_glossary_that_holds_no_terms(text: str, message: str) -> None:
    with pytest.raises(LoadError) as info:
        parse_document(Path("glossary.yaml"), "glossary", "glossary", text.encode())
    assert str(info.value) == message


def test_top_level_list_and_scalar() -> None:
    assert str(load_error("- a\n- b\n")) == "expected a mapping of play fields, found a list"
    assert (
        str(load_error("just words\n")) == "expected a mapping of play fields, found a single value"
    )


def test_python_tags_are_rejected_not_executed() -> None:
    err = load_error("name: !!python/object/apply:os.system ['echo pwned']\n")
    assert str(err) == (
        "unsupported YAML tag '!!python/object/apply:os.system': only plain YAML is allowed"
    )
    assert (err.line, err.col) == (1, 7)
    assert str(load_error("!!set {a, b}\n")).startswith("unsupported YAML tag '!!set'")
    assert str(load_error("x: !custom 1\n")).startswith("unsupported YAML tag '!custom'")


def test_non_scalar_key() -> None:
    err = load_error("name: a\n[x, y]: b\n")
    assert (str(err), err.line, err.col) == (
        "a mapping key must be a plain word, not a list or mapping",
        2,
        1,
    )


def test_non_utf8_names_line_and_column_of_the_byte() -> None:
    err = load_error(b"name: ok\nsummary: caf\xe9 au lait\n")
    assert (str(err), err.line, err.col) == (
        "file is not valid UTF-8 (byte 0xe9); save it as UTF-8",
        2,
        13,
    )


def test_non_utf8_after_a_byte_order_mark_names_the_byte_where_the_file_has_it() -> None:
    err = load_error(b"\xef\xbb\xbfname: ok\nsummary: caf\xe9 au lait\n")
    assert (str(err), err.line, err.col) == (
        "file is not valid UTF-8 (byte 0xe9); save it as UTF-8",
        2,
        13,
    )


@pytest.mark.parametrize("separator", ["\u2028", "\u2029"])
def test_a_line_separator_in_a_value_neither_moves_later_lines_nor_is_lost(
    separator: str,
) -> None:
    """YAML 1.1 counts U+2028 and U+2029 as line breaks; editors and grep do not. Text
    pasted from a web page holds them: every later line:column was one line too far."""
    text = f'name: "Tape{separator}refresh"\nsummary: plain{separator}text\nname: again\n'
    err = load_error(text)
    assert (str(err), err.line, err.col) == (
        "duplicate key 'name' (first defined at line 1)",
        3,
        1,
    )
    assert parse(text.replace("name: again", "why: [x]")) == {
        "name": f"Tape{separator}refresh",
        "summary": f"plain{separator}text",
        "why": ["x"],
    }


def test_a_raw_next_line_control_is_refused_on_its_own_line() -> None:
    err = load_error('name: "a"\nsummary: caf\x85e\n')
    assert (err.line, err.col, err.code) == (2, 13, "control-character")


def test_alias_bomb_is_rejected() -> None:
    err = load_error(alias_bomb(9))
    assert str(err) == f"document too large: more than {MAX_NODES} values (runaway aliases?)"


def test_small_aliases_are_fine() -> None:
    assert parse("a: &x [1, 2]\nb: *x\n") == {"a": [1, 2], "b": [1, 2]}


def test_deep_nesting_is_an_error_not_a_crash() -> None:
    err = load_error("a: " + "[" * 5000 + "]" * 5000 + "\n")
    assert str(err) == "invalid YAML: nested too deeply"


def test_oversized_file() -> None:
    err = load_error(b"a: " + b"x" * 2_000_001)
    assert (str(err), err.line, err.col) == ("file is larger than 2 MB", 1, 1)


# --- the same faults through `salesplay check`, exact lines -----------------------------------


def test_unparsable_yaml(tmp_path: Path) -> None:
    result = check(tmp_path, {PLAY: "name: Recovery drills\nsummary: [unclosed\nwhy_now: x\n"})
    assert result.code == 1
    assert result.diagnostics == [
        f"{SHOWN}:2:10: error: could not be read: a list opened with '[' is never closed:"
        " end it with ']', or put text that starts with '[' in quotes"
    ]


def test_bad_indentation(tmp_path: Path) -> None:
    result = check(tmp_path, {PLAY: "name: a\n  summary: b\n"})
    assert result.code == 1
    assert result.diagnostics == [
        f"{SHOWN}:2:3: error: could not be read: check the indentation of line 2:"
        " 'summary' sits under 'name', which already has a value"
    ]


def test_duplicate_key(tmp_path: Path) -> None:
    result = check(tmp_path, replace_in(PLAY, "why_now:", "name: Again\nwhy_now:"))
    assert result.code == 1
    assert f"{SHOWN}:5:1: error: duplicate key 'name' (first defined at line 1)" in result.lines


def test_empty_file(tmp_path: Path) -> None:
    result = check(tmp_path, {PLAY: ""})
    assert f"{SHOWN}:1:1: error: empty file: expected a mapping of play fields" in result.lines


def test_empty_glossary(tmp_path: Path) -> None:
    result = check(tmp_path, {"glossary.yaml": ""})
    assert [line for line in result.diagnostics if "error" in line] == [
        "plays/glossary.yaml:1:1: error: empty file: expected terms and their meanings"
        " (TERM: meaning), or delete the file"
    ]


def test_list_at_top_level(tmp_path: Path) -> None:
    result = check(tmp_path, {PLAY: "- name: Recovery drills\n"})
    assert f"{SHOWN}:1:1: error: expected a mapping of play fields, found a list" in result.lines


def test_python_object_tag(tmp_path: Path) -> None:
    result = check(
        tmp_path, replace_in(PLAY, "name: Recovery", "name: !!python/object:os.system Recovery")
    )
    assert (
        f"{SHOWN}:1:7: error: unsupported YAML tag '!!python/object:os.system':"
        " only plain YAML is allowed" in result.lines
    )


def test_multiple_documents(tmp_path: Path) -> None:
    result = check(tmp_path, {PLAY: base_text(PLAY) + "---\nname: Second\n"})
    assert (
        f"{SHOWN}:13:1: error: invalid YAML: more than one YAML document: one document per file"
        in result.lines
    )


def test_non_utf8_file(tmp_path: Path) -> None:
    result = check(
        tmp_path, {PLAY: base_text(PLAY).encode().replace(b"Recovery", b"R\xe9covery", 1)}
    )
    assert (
        f"{SHOWN}:1:8: error: file is not valid UTF-8 (byte 0xe9); save it as UTF-8" in result.lines
    )


def test_alias_bomb_through_check(tmp_path: Path) -> None:
    result = check(tmp_path, {PLAY: alias_bomb(9)})
    assert result.code == 1
    assert any(
        line.startswith(f"{SHOWN}:")
        and line.endswith("error: document too large: more than 100000 values (runaway aliases?)")
        for line in result.lines
    )


def test_yaml_1_1_booleans_stay_words_through_check(tmp_path: Path) -> None:
    # `no` (Norway) and `on` would be booleans in YAML 1.1 and fail the string fields
    edits = {
        "glossary.yaml": "no: Norway, as a code.\non: Switched on.\nRPO: Recovery point.\n",
        **replace_in(
            "partners/blue-river.yaml", "regions: [EMEA]", "regions: [NO, no, on, Off, y]"
        ),
    }
    result = check(tmp_path, edits)
    assert (result.code, result.stderr) == (0, "")
    flipped = check(
        tmp_path / "b", replace_in("partners/blue-river.yaml", "[EMEA]", "[EMEA, false]")
    )
    assert (
        "plays/partners/blue-river.yaml:5:17: error: 'regions.2' should be a string,"
        " found 'false' (quote it to make it text)" in flipped.lines
    )


def test_unknown_folder_and_top_level_file(tmp_path: Path) -> None:
    result = check(
        tmp_path,
        {"partner/x.yaml": "name: x\n", "glosary.yaml": "a: b\n", "plays/deep/x.yaml": "a: b\n"},
    )
    assert result.code == 1
    assert result.diagnostics == [
        "plays/glosary.yaml:1:1: error: unknown top-level file 'glosary.yaml'"
        " (did you mean 'glossary'?); kinds live in folders",
        "plays/partner/x.yaml:1:1: error: unknown folder 'partner/' (did you mean 'partners'?);"
        " expected one of products, competitors, differentiators, destinations, paths, plays,"
        " partners",
        "plays/plays/deep/x.yaml:1:1: error: 'plays/deep/x.yaml' is nested too deeply:"
        " kinds are one folder deep",
    ]


@pytest.mark.parametrize(
    ("new", "error"),
    [
        pytest.param(
            "play/recovery-drills.yaml",
            "unknown folder 'play/' (did you mean 'plays'?); expected one of products,"
            " competitors, differentiators, destinations, paths, plays, partners",
            id="folder",
        ),
        pytest.param(
            "plays/old/recovery-drills.yaml",
            "'plays/old/recovery-drills.yaml' is nested too deeply: kinds are one folder deep",
            id="nested",
        ),
        pytest.param(
            "plays/Recovery-Drills.YAML",
            "'plays/Recovery-Drills.YAML' is not read: catalog files end in lower-case .yaml or"
            " .yml (rename it to 'recovery-drills.yaml')",
            id="upper-case",
        ),
    ],
)
def test_a_file_load_does_not_read_is_one_error_not_unknown_at_each_reference(
    tmp_path: Path, new: str, error: str
) -> None:
    """Its entity goes by the id it was meant to have: the path's step naming it was also
    "unknown play 'recovery-drills'", and its claims and competitors "used by no play"."""
    result = check(tmp_path, {new: base_text(PLAY), PLAY: None})
    assert result.diagnostics == [f"plays/{new}:1:1: error: {error}"]


def test_a_misspelt_glossary_is_one_error_not_undefined_jargon(tmp_path: Path) -> None:
    edits = {
        "Glossary.yaml": base_text("glossary.yaml"),
        "glossary.yaml": None,
        PLAY: base_text(PLAY).replace("An untested backup", "An untested RPO"),
    }
    result = check(tmp_path, edits)
    assert result.diagnostics == [
        "plays/Glossary.yaml:1:1: error: unknown top-level file 'Glossary.yaml'"
        " (did you mean 'glossary'?); kinds live in folders"
    ]


def test_yaml_files_under_assets_are_not_catalog_files(tmp_path: Path) -> None:
    result = check(tmp_path, {"assets/data.yaml": "not: [a catalog file\n"})
    assert (result.code, result.stderr) == (0, "")


def test_missing_catalog_yaml(tmp_path: Path) -> None:
    result = check(tmp_path, {"catalog.yaml": None})
    assert result.code == 1
    assert (
        "plays/catalog.yaml:1:1: error: missing catalog.yaml: every catalog needs one"
        " (company, tiers)" in result.lines
    )


def test_catalog_yml_spelling_is_accepted(tmp_path: Path) -> None:
    result = check(tmp_path, {"catalog.yml": base_text("catalog.yaml"), "catalog.yaml": None})
    assert (result.code, result.stderr) == (0, "")


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("partners/red-rock.yaml", "partners/red-rock.YAML"),
        ("competitors/acme.yaml", "competitors/acme.Yml"),
        ("products/vault.yaml", "products/vault.YML"),
        ("plays/recovery-drills.yaml", "plays/recovery-drills.Yaml"),
        ("catalog.yaml", "catalog.YAML"),
    ],
)
def test_upper_case_extension_is_one_error_naming_the_rename(
    tmp_path: Path, old: str, new: str
) -> None:
    # skipped in silence, its entity (a partner's kit) would vanish from every build
    result = check(tmp_path, {new: base_text(old), old: None})
    assert result.code == 1
    name = new.rsplit("/", 1)[-1]
    stem, suffix = name.split(".")
    # one line: neither references to its entity nor a missing catalog.yaml are errors too
    assert result.diagnostics == [
        f"plays/{new}:1:1: error: '{new}' is not read: catalog files end in lower-case .yaml or"
        f" .yml (rename it to '{stem}.{suffix.lower()}')"
    ]


def test_directory_named_like_a_yaml_file(tmp_path: Path) -> None:
    result = check(tmp_path, {"plays/odd.yaml/readme.txt": "hi"})
    assert "plays/plays/odd.yaml:1:1: error: cannot read file: Is a directory" in result.lines


def test_control_character_is_one_located_line(tmp_path: Path) -> None:
    result = check(tmp_path, {PLAY: "name: ok\nsummary: bell\x07here\n"})
    assert result.code == 1
    assert (
        f"{SHOWN}:2:14: error: invalid YAML: unacceptable character #x0007:"
        " control characters are not allowed" in result.lines
    )
    assert all("<unicode string>" not in line for line in result.lines)


def test_a_bidi_override_left_open_is_one_located_error(tmp_path: Path) -> None:
    """An unclosed U+202E in a partner's name turned the rest of the kit index's line,
    "…only, not for customers", backwards. A text must close the embedding, override or
    isolate it opens; one it closes is fine."""
    partner = "partners/red-rock.yaml"
    result = check(tmp_path / "a", {partner: 'name: "Red \\u202eRock"\ntier: silver\n'})
    assert result.code == 1
    assert result.diagnostics == [
        "plays/partners/red-rock.yaml:1:12: error: right-to-left override U+202E is never"
        ' closed (U+202C): the text after it, on a kit\'s page the words "not for customers"'
        " too, would be set in its direction; close it or remove it"
    ]
    raw = check(tmp_path / "b", {partner: "name: Red \u2067Rock\ntier: silver\n"})
    assert raw.diagnostics[0].startswith(
        "plays/partners/red-rock.yaml:1:11: error: right-to-left isolate"
    )
    for n, closed in enumerate(
        ("Red \u202eRock\u202c", "Red \u2067Rock\u2069", "Red \u2067\u202eRock\u2069")
    ):
        folder = tmp_path / f"c{n}"
        assert check(folder, {partner: f"name: {closed}\ntier: silver\n"}).code == 0


def test_merge_keys_bring_in_an_anchor_s_keys_under_the_mapping_s_own() -> None:
    """`<<: *anchor` (YAML's merge key) was "unknown field '<<'" and a false "missing
    required field"; it merges as YAML says: the mapping's own keys win, then the first of
    a list of mappings that has a key."""
    text = (
        "base: &base {objection: Too dear, response: Price a day of downtime}\n"
        "extra: &extra {response: Ask for the budget, note: x}\n"
        "one:\n  <<: *base\n  objection: Too dear for us\n"
        "two:\n  objection: Mine\n  <<: [*extra, *base]\n"
    )
    data = parse(text)
    assert isinstance(data, dict)
    assert data["one"] == {"objection": "Too dear for us", "response": "Price a day of downtime"}
    assert data["two"] == {"objection": "Mine", "response": "Ask for the budget", "note": "x"}
    doc = parse_document(Path("x.yaml"), "play", "x", text.encode())
    # a merged value is where its anchor writes it; the mapping's own where it is written
    assert doc.marks[("one", "response")] == (1, 45)
    assert doc.marks[("two", "objection")] == (7, 14)
    err = load_error("a: &a [1]\nb:\n  <<: *a\n")
    assert (str(err), err.line, err.col) == (
        "a merge key '<<' takes a mapping (an alias such as *defaults) or a list of them",
        3,
        3,
    )


def test_hidden_files_are_not_read(tmp_path: Path) -> None:
    """Emacs's lock file `.#recovery-drills.yaml` (a link to nowhere, while a buffer has
    unsaved edits) stopped every check and build, `serve` too; macOS's `._x.yaml` (binary)
    would as well. A name starting with a dot is hidden, and not read."""
    root = make_catalog(tmp_path)
    (root / "plays/.#recovery-drills.yaml").symlink_to("root@host.12345:1733456789")
    (root / "plays/._backup-modernization.yaml").write_bytes(b"\x00\x05\x16\x07 resource fork")
    (root / "plays/.draft").mkdir()
    (root / "plays/.draft/idea.yaml").write_text("name: [unfinished\n")
    result = run_cli("check", "--catalog", "plays", "--as-of", AS_OF, cwd=tmp_path)
    assert (result.code, result.stderr) == (0, "")
